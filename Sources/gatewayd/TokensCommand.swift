import ArgumentParser
import Gateway
import Logging

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Issue, list and revoke admin-API bearer tokens (stored only as hashes).",
        subcommands: [Issue.self, List.self, Revoke.self]
    )

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new token on standard output; only its hash is stored."
        )
        @OptionGroup var options: ConfigurationOptions
        @Option(help: "admin, procurement, consent or auditor.") var role: String
        @Option(help: "Who holds it (the principal named in approvals and the call log).") var name: String

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role is admin, procurement, consent or auditor")
            }
            let logger = GatewaydLogging.bootstrap(label: "gatewayd", defaultLevel: .warning)
            let runtime = try await GatewayRuntime(configuration: try await options.load(), logger: logger)
            let (token, record) = try await TokenService(store: runtime.store).issue(role: role, name: name)
            printError("issued \(record.id) (\(record.role.rawValue), \(record.name))")
            print(token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never the tokens themselves).")
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let logger = GatewaydLogging.bootstrap(label: "gatewayd", defaultLevel: .warning)
            let runtime = try await GatewayRuntime(configuration: try await options.load(), logger: logger)
            for token in try await runtime.store.tokens() {
                let state = token.revokedAt.map { "revoked \($0)" } ?? "active"
                print("\(token.id)  \(token.role.rawValue)  \(token.name)  created \(token.createdAt)  \(state)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by id, or every active token of a name."
        )
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "A token id (tok_...) or name.") var token: String

        func run() async throws {
            let logger = GatewaydLogging.bootstrap(label: "gatewayd", defaultLevel: .warning)
            let runtime = try await GatewayRuntime(configuration: try await options.load(), logger: logger)
            guard try await TokenService(store: runtime.store).revoke(token) else {
                throw ValidationError("no active token with that id or name")
            }
            print("revoked")
        }
    }
}

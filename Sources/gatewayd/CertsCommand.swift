import ArgumentParser
import Gateway

struct CertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Make development certificates (a CA, the server certificate, client certificates).",
        subcommands: [Init.self, Client.self]
    )

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Make ca.pem, ca-key.pem, server.pem (localhost, 127.0.0.1), server-key.pem and a client certificate for demo-service."
        )
        @OptionGroup var options: ConfigurationOptions
        @Flag(help: "Replace an existing development CA.") var force = false

        func run() async throws {
            let configuration = try await options.load()
            let written = try CertificateDirectory(path: configuration.certsDirectory).initialize(force: force)
            for path in written { print(path) }
        }
    }

    struct Client: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a client certificate for service NAME: clients/NAME.pem and clients/NAME-key.pem."
        )
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "The service name (its certificate's common name).") var name: String

        func run() async throws {
            let configuration = try await options.load()
            let directory = CertificateDirectory(path: configuration.certsDirectory)
            guard directory.isInitialized else {
                throw ValidationError("no development CA in \(directory.path); run `gatewayd certs init` first")
            }
            for path in try directory.issueClient(named: name) { print(path) }
        }
    }
}

import ArgumentParser
import Contracts
import Foundation
import Gateway
import Logging

struct ContractsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contracts",
        abstract: "Validate, explain and import data-processing agreements.",
        subcommands: [Validate.self, Explain.self, Import.self]
    )

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Check agreements against the schema and for meaning; prints `file:line: error: ...` per problem.",
            discussion: "Exits 1 if any file has a problem."
        )

        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "Agreement XML files.") var files: [String]

        func run() async throws {
            let configuration = try await options.load()
            let validator = ContractValidator(
                taxonomy: try TaxonomyLoader.load(contractsDirectory: configuration.contractsDirectory),
                options: configuration.contractValidationOptions
            )
            var failed = false
            for file in files {
                do {
                    let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: file)))
                    let agreement = try validator.validate(bytes)
                    print("\(file): ok (\(agreement.id) version \(agreement.version), vendor \(agreement.vendor.id))")
                } catch let error as XMLDocumentError {
                    failed = true
                    for diagnostic in error.diagnostics {
                        printError(diagnostic.formatted(file: file))
                    }
                } catch {
                    failed = true
                    printError("\(file):0: error: cannot read the file (\(error.localizedDescription))")
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what may leave for each purpose and operation, as a table."
        )

        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "An agreement XML file.") var file: String

        func run() async throws {
            let configuration = try await options.load()
            let taxonomy = try TaxonomyLoader.load(contractsDirectory: configuration.contractsDirectory)
            let validator = ContractValidator(taxonomy: taxonomy, options: configuration.contractValidationOptions)
            do {
                let agreement = try validator.validate(try Array(Data(contentsOf: URL(fileURLWithPath: file))))
                print(ContractExplanation.render(agreement, taxonomy: taxonomy), terminator: "")
            } catch let error as XMLDocumentError {
                for diagnostic in error.diagnostics { printError(diagnostic.formatted(file: file)) }
                throw ExitCode(1)
            }
        }
    }
}

extension ContractsCommand {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Register agreements offline in the gateway's database (and approve them, as the bootstrap principal)."
        )
        @OptionGroup var options: ConfigurationOptions
        @Flag(help: "Approve each registered version (the bootstrap principal's two-person exemption).") var approve =
            false
        @Argument(help: "Agreement XML files.") var files: [String]

        func run() async throws {
            let logger = GatewaydLogging.bootstrap(label: "gatewayd", defaultLevel: .warning)
            let runtime = try await GatewayRuntime(configuration: try await options.load(), logger: logger)
            var failed = false
            for file in files {
                do {
                    let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: file)))
                    let record = try await runtime.importAgreement(bytes, approve: approve)
                    print(
                        "\(file): \(record.vendorID) version \(record.version) \(record.status.rawValue) (\(record.digest))"
                    )
                } catch let error as XMLDocumentError {
                    failed = true
                    for diagnostic in error.diagnostics { printError(diagnostic.formatted(file: file)) }
                } catch {
                    failed = true
                    printError("\(file):0: error: \(error)")
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

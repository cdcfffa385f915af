import ArgumentParser

/// The gateway's one executable.
@main
struct Gatewayd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatewayd",
        abstract: "A consent-gated vendor data-sharing gateway.",
        discussion: """
            Configuration comes from --config FILE (JSON), then GATEWAY_* environment variables, then defaults.
            Every command reads the same configuration, so offline commands act on the database `serve` uses.
            """,
        subcommands: [
            ServeCommand.self,
            DemoCommand.self,
            CertsCommand.self,
            ContractsCommand.self,
            TokensCommand.self,
            ConsentsCommand.self,
            AuditCommand.self,
        ]
    )
}

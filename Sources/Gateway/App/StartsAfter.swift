import ServiceLifecycle

/// Runs a service once a condition holds (the servers start once the share log is open, so no request
/// meets a log that cannot take it yet).
public struct StartsAfter: Service {
    let condition: @Sendable () async throws -> Void
    let service: any Service

    public init(_ service: any Service, when condition: @escaping @Sendable () async throws -> Void) {
        self.service = service
        self.condition = condition
    }

    public func run() async throws {
        try await condition()
        try await service.run()
    }
}

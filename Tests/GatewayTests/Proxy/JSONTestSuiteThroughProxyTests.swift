import Contracts
import Foundation
import Gateway
import NIOHTTP1
import Testing

/// Every file of JSONTestSuite sent through the data plane: what the reader refuses is refused with nothing
/// sent; what it accepts reaches the vendor only re-serialised from what was inspected, never as it came.
@Suite("JSONTestSuite through the proxy", .serialized)
struct JSONTestSuiteThroughProxyTests {
    static let directory = RepositoryRoot.url.appendingPathComponent(
        "Tests/ContractsTests/Fixtures/JSONTestSuite/test_parsing"
    )

    @Test func noFileIsEverForwardedUnparsed() async throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        #expect(files.count >= 318)
        try await withGateway { gateway in
            try await gateway.grant("u1")
            var refused = 0
            var forwarded = 0
            for file in files {
                let bytes = Array(try Data(contentsOf: file))
                let accepted = (try? JSONReader.parse(bytes)) != nil
                let isObject: Bool
                if case .object? = try? JSONReader.parse(bytes) { isObject = true } else { isObject = false }
                let before = gateway.vendor.requests.count
                let response = try await gateway.send(
                    .POST,
                    "/vendors/acme/identify",
                    headers: [
                        ("content-type", "application/json"), ("share-purpose", "analytics"), ("share-subject", "u1"),
                    ],
                    body: bytes
                )
                let received = gateway.vendor.requests.dropFirst(before)
                let name = file.lastPathComponent
                if !accepted {
                    refused += 1
                    #expect(response.status == 400, "\(name)")
                    #expect(response.problemType == ProblemDetails.typePrefix + "malformed-json", "\(name)")
                    #expect(received.isEmpty, "\(name) reached the vendor")
                    if name.hasPrefix("y_") && !name.contains("duplicated_key") {
                        Issue.record("\(name) is valid JSON but was refused")
                    }
                } else if !isObject {
                    #expect(response.status == 422, "\(name)")
                    #expect(received.isEmpty, "\(name) reached the vendor")
                } else {
                    forwarded += 1
                    #expect(name.hasPrefix("y_") || name.hasPrefix("i_"), "\(name) should have been refused")
                    #expect(response.status == 200, "\(name): \(response.text)")
                    #expect(received.count == 1, "\(name)")
                    for request in received {
                        let value = try JSONReader.parse(request.body)
                        #expect(JSONWriter.bytes(value) == request.body, "\(name) was not re-serialised")
                        if case .object(let members) = value {
                            #expect(members.allSatisfy { ["user_id", "email", "page"].contains($0.key) }, "\(name)")
                        }
                    }
                }
            }
            #expect(refused >= 188)
            #expect(forwarded > 0)
        }
    }
}

import Foundation
import NIOHTTP1
import Testing

@testable import Gateway

/// The console is built into the binary: the embedded copy matches `console/`, and it is served with
/// DESIGN's headers.
@Suite("Console serving")
struct ConsoleServingTests {
    @Test func theEmbeddedConsoleMatchesItsSourceFiles() throws {
        let root = RepositoryRoot.url.appendingPathComponent("console")
        var onDisk: [String: [UInt8]] = [:]
        let enumerator = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
        for case let url as URL in enumerator where !url.hasDirectoryPath {
            let relative = String(url.path.dropFirst(root.path.count + 1))
            onDisk[relative] = Array(try Data(contentsOf: url))
        }
        let embedded = ConsoleFiles.embedded.files.mapValues(\.bytes)
        #expect(Set(embedded.keys) == Set(onDisk.keys), "run scripts/embed-console.sh")
        for (path, bytes) in onDisk {
            let same = embedded[path] == bytes
            #expect(same, "console/\(path) changed: run scripts/embed-console.sh")
        }
        #expect(embedded.values.map(\.count).reduce(0, +) < 300 * 1024, "the console stays under 300 KB")
    }

    @Test func consoleFilesCarryTheSecurityHeaders() async throws {
        try await withGateway { gateway in
            let page = try await gateway.admin(.GET, "/console/", token: nil)
            #expect(page.status == 200)
            #expect(page.headers.first(name: "content-type") == "text/html; charset=utf-8")
            #expect(page.headers.first(name: "content-security-policy") == "default-src 'self'; frame-ancestors 'none'")
            #expect(page.headers.first(name: "x-content-type-options") == "nosniff")
            #expect(page.headers.first(name: "referrer-policy") == "no-referrer")
            #expect(page.text.contains(#"id="token""#) && page.text.contains(#"id="sign-in""#))
            // No inline script or style: every script is a file of its own.
            #expect(!page.text.contains("<script>") && !page.text.contains("<style") && !page.text.contains("style="))
            let script = try await gateway.admin(.GET, "/console/app.js", token: nil)
            #expect(script.status == 200)
            #expect(script.headers.first(name: "content-type") == "text/javascript; charset=utf-8")
            #expect(try await gateway.admin(.GET, "/console/js/api.js", token: nil).status == 200)
            #expect(try await gateway.admin(.GET, "/console/nothing.js", token: nil).status == 404)
            let traversal = try await gateway.admin(.GET, "/console/js/..%2f..%2fPackage.swift", token: nil)
            #expect(traversal.status == 404 || traversal.status == 400)
            #expect(!traversal.text.contains("PackageDescription"))
            let redirect = try await gateway.admin(.GET, "/console", token: nil)
            #expect(redirect.status == 301)
            #expect(redirect.headers.first(name: "location") == "/console/")
            // The console never reads the token from anywhere but the page: no API answer sets a cookie.
            #expect(page.headers["set-cookie"].isEmpty)
        }
    }
}

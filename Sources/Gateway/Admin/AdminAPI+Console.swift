import Contracts
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The console's files, decoded once, with their entity tags.
struct ConsoleFiles: Sendable {
    struct File: Sendable {
        var contentType: String
        var bytes: [UInt8]
        var etag: String
    }

    let files: [String: File]

    static let embedded = ConsoleFiles(
        files: Dictionary(
            uniqueKeysWithValues: ConsoleAssets.files.map { asset in
                let bytes = Array(Data(base64Encoded: asset.base64) ?? Data())
                let digest = SHA256.hash(data: bytes).prefix(12).map { String(format: "%02x", $0) }.joined()
                return (asset.path, File(contentType: asset.contentType, bytes: bytes, etag: "\"\(digest)\""))
            }
        )
    )

    /// DESIGN's console headers: no inline script or style, no framing, no sniffing, no referrer.
    static func headers(_ fields: inout HTTPFields) {
        fields[.contentSecurityPolicy] = "default-src 'self'; frame-ancestors 'none'"
        fields[.xContentTypeOptions] = "nosniff"
        fields[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
    }
}

extension AdminAPI {
    /// `GET /console/`: the web console, built into the binary. No token is needed to load it; the token the
    /// user signs in with decides what it shows.
    var consoleRoutes: [AdminRoute] {
        [
            AdminRoute(.get, "/console/", roles: []) { request, _ in
                // `/console` without the slash: redirect, so the page's relative URLs resolve under /console/.
                if request.uri.path == "/console" {
                    var headers = HTTPFields()
                    headers[.location] = "/console/"
                    ConsoleFiles.headers(&headers)
                    return Response(status: .movedPermanently, headers: headers)
                }
                return try self.consoleFile("index.html", request: request)
            },
            AdminRoute(.get, "/console/{file}", roles: []) { request, context in
                try self.consoleFile(try context.pathParameter("file"), request: request)
            },
            AdminRoute(.get, "/console/js/{file}", roles: []) { request, context in
                try self.consoleFile("js/" + (try context.pathParameter("file")), request: request)
            },
        ]
    }

    func consoleFile(_ path: String, request: Request) throws -> Response {
        // From disk (`console.dir`, development) only plain names with a known type; never a path with `..`.
        var found = ConsoleFiles.embedded.files[path]
        if let directory = runtime.configuration.consoleDirectory,
            let type = found?.contentType ?? developmentType(path),
            let bytes = FileManager.default.contents(atPath: directory + "/" + path)
        {
            found = ConsoleFiles.File(
                contentType: type,
                bytes: Array(bytes),
                etag: "\"dev-\(bytes.count)-\(bytes.hashValue)\""
            )
        }
        guard let file = found else { throw ProblemDetails("not-found", "the console has no such file") }
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        // Revalidated on every load (the binary may have been upgraded); unchanged files answer 304.
        headers[.cacheControl] = "no-cache"
        headers[.eTag] = file.etag
        ConsoleFiles.headers(&headers)
        if request.headers[.ifNoneMatch] == file.etag {
            return Response(status: .notModified, headers: headers)
        }
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes))
        )
    }

    /// The type of a file added to `console.dir` since the binary was built (development only): plain names
    /// under the directory or `js/`, with a known extension.
    private func developmentType(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.count == 1 || parts[0] == "js",
            parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("\\") })
        else { return nil }
        let types = [
            "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8",
            "css": "text/css; charset=utf-8", "svg": "image/svg+xml",
        ]
        return path.split(separator: ".").last.flatMap { types[String($0)] }
    }
}

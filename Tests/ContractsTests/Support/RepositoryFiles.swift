import Foundation

/// Files of the repository, found from this source file's location.
enum RepositoryFiles {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // ContractsTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static func url(_ relative: String) -> URL {
        root.appendingPathComponent(relative)
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(relative)))
    }

    static func files(in relative: String, suffix: String = ".xml") throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: url(relative), includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasSuffix(suffix) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

import Contracts
import Foundation
import Gateway
import Logging
import Synchronization

/// The suite's personal values and everything a gateway wrote about them: every value a test sent (body
/// values and unmapped keys, query values, path segments, subject ids), every log line the gateway wrote,
/// and (read at the end) every share-log entry. DESIGN: no personal value is ever written to logs, metrics,
/// errors or the share log, so none of those values may appear in either.
final class PersonalValueWatch: Sendable {
    private let state = Mutex<State>(State())

    private struct State {
        var values: Set<String> = []
        var lines: [String] = []
    }

    /// Text that may legitimately appear in entries and log lines because the registry or the taxonomy
    /// holds it (a value that happens to equal a category, a purpose or a mapped name is not evidence).
    private let vocabulary: String

    init(agreements: [String]) {
        let taxonomyURL = RepositoryRoot.url.appendingPathComponent("contracts/taxonomy.xml")
        let taxonomy = (try? String(contentsOf: taxonomyURL, encoding: .utf8)) ?? ""
        vocabulary = (agreements + [taxonomy]).joined(separator: "\n")
    }

    /// A logger whose lines are kept (message, metadata keys and values) for the check.
    func logger(label: String) -> Logger {
        Logger(label: label) { label in RecordingLogHandler(label: label, watch: self) }
    }

    func recordLine(_ line: String) {
        state.withLock { $0.lines.append(line) }
    }

    /// Notes the personal-looking parts of a request a test sends through the data plane.
    func noteRequest(path: String, headers: [(String, String)], body: [UInt8]?) {
        var found: [String] = []
        let parts = path.split(separator: "?", maxSplits: 1)
        if let pathPart = parts.first {
            // `/vendors/{id}/...`: the segments after the vendor's id are client text.
            found += pathPart.split(separator: "/").dropFirst(2).map(String.init)
        }
        if parts.count == 2, let members = try? FormCodec.parse(Array(parts[1].utf8)) {
            for member in members {
                found.append(member.key)
                if case .string(let value) = member.value { found.append(value) }
            }
        }
        for (name, value) in headers where name.lowercased() == "share-subject" { found.append(value) }
        if let body {
            if let value = try? JSONReader.parse(body) {
                Self.strings(in: value, into: &found)
            } else if let members = try? FormCodec.parse(body) {
                for member in members {
                    found.append(member.key)
                    if case .string(let value) = member.value { found.append(value) }
                }
            }
        }
        note(found)
    }

    func note(_ values: [String]) {
        let kept = values.filter(isWatchable)
        state.withLock { $0.values.formUnion(kept) }
    }

    /// Values of at least 3 bytes that are not only hex digits, dashes and digits (those collide with ids,
    /// refs and digests by chance).
    private func isWatchable(_ value: String) -> Bool {
        value.utf8.count >= 3 && !value.utf8.allSatisfy(Self.isHexOrDash)
    }

    private static func isHexOrDash(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte) || byte == UInt8(ascii: "-")
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "_")
    }

    /// The words of a text (runs of letters, digits and `_`).
    private static func words(_ text: String) -> Set<String> {
        Set(text.utf8.split(whereSeparator: { !isWordByte($0) }).map { String(decoding: $0, as: UTF8.self) })
    }

    /// Whether `value` occurs in `text`: as a substring when it is long or not a plain word, else as a
    /// whole word (a short word such as `page` inside `@.page` is a mapped path, not a leak).
    private static func occurs(_ value: String, in text: String, words: Set<String>) -> Bool {
        let utf8 = value.utf8
        if utf8.count >= 8 { return text.contains(value) }
        if utf8.allSatisfy(isWordByte) { return words.contains(value) }
        // Short punctuation-heavy values (`{"a`) match JSON syntax by chance; an `@` or four word bytes make
        // them specific enough.
        guard utf8.contains(UInt8(ascii: "@")) || utf8.lazy.filter(isWordByte).count >= 4 else { return false }
        return text.contains(value)
    }

    static func strings(in value: JSONValue, into found: inout [String]) {
        switch value {
        case .string(let text): found.append(text)
        case .array(let elements): for element in elements { strings(in: element, into: &found) }
        case .object(let members):
            for member in members {
                found.append(member.key)
                strings(in: member.value, into: &found)
            }
        default: break
        }
    }

    /// Each watched value found in a log line's metadata or a share-log entry, with where it was found.
    /// `registered` is the text of every agreement the gateway holds (a value that equals a mapped name, a
    /// category or a path the registry holds is the registry's text, not evidence of a leak).
    func leaks(entries: [String], registered: [String]) -> [String] {
        let (values, lines) = state.withLock { ($0.values, $0.lines) }
        let known = vocabulary + "\n" + registered.joined(separator: "\n")
        let knownWords = Self.words(known)
        let suspects = values.filter { value in !Self.occurs(value, in: known, words: knownWords) }
        var leaks: [String] = []
        let lineWords = lines.map(Self.words)
        let entryWords = entries.map(Self.words)
        for value in suspects.sorted() {
            if let index = lines.indices.first(where: { Self.occurs(value, in: lines[$0], words: lineWords[$0]) }) {
                leaks.append("`\(value)` in log line: \(lines[index])")
            }
            if let index = entries.indices.first(where: { Self.occurs(value, in: entries[$0], words: entryWords[$0]) })
            {
                leaks.append("`\(value)` in share-log entry: \(entries[index])")
            }
        }
        return leaks
    }
}

/// A log handler that hands every line (message and metadata) to a ``PersonalValueWatch``.
struct RecordingLogHandler: LogHandler {
    let label: String
    let watch: PersonalValueWatch
    var metadata: Logger.Metadata = [:]
    // The level a deployment runs at; trace lines of libraries (PostgresNIO prints every message, NOTIFY
    // payloads included) are not written there.
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        // The message is a constant of the code (swift-log style); what could carry a value is the metadata.
        var line = ""
        if let error = event.error { line += " error=\(error)" }
        for value in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }).values {
            line += " \(value)"
        }
        watch.recordLine(line)
    }
}

/// Why a Merkle tree computation could not be carried out.
public struct MerkleTreeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public enum Code: String, Sendable {
        /// A size or index is out of range (negative, index ≥ size, m > n...).
        case invalidArgument = "invalid-argument"
        /// The node source did not return a node the computation needs.
        case missingNode = "missing-node"
        /// The node source returned something that is not a 32-byte hash.
        case malformedNode = "malformed-node"
    }

    /// The reason, stable across releases.
    public var code: Code
    /// A human-readable explanation.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// A growable stack that hands out its top elements by moving them into a new array, without the
/// retain/release pairs (and exact-size copies) a plain `Array` stack costs. Used by ``JSONParser``.
struct JSONMoveStack<Element>: ~Copyable {
    /// Unallocated (`nil`) until the first push.
    private var storage: UnsafeMutablePointer<Element>?
    private var capacity = 0
    private let initialCapacity: Int
    /// The number of elements on the stack.
    private(set) var count = 0

    /// A stack that allocates room for `capacity` elements on its first push.
    init(capacity: Int) {
        self.initialCapacity = max(capacity, 1)
    }

    deinit {
        if let storage {
            storage.deinitialize(count: count)
            storage.deallocate()
        }
    }

    /// The storage; only valid once something was pushed.
    private var base: UnsafeMutablePointer<Element> {
        @inline(__always) get { storage.unsafelyUnwrapped }
    }

    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Removes the elements from `start` to the top and returns them, in order, as an array.
    mutating func popArray(from start: Int) -> [Element] {
        let moved = count - start
        guard moved > 0 else { return [] }
        let source = base + start
        let result = [Element](unsafeUninitializedCapacity: moved) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: source, count: moved)
            initialized = moved
        }
        count = start
        return result
    }

    /// Calls `body` with each element from `start` to the top.
    func forEach(from start: Int, _ body: (borrowing Element) -> Void) {
        var index = start
        while index < count {
            body(base[index])
            index += 1
        }
    }

    private mutating func grow() {
        let newCapacity = capacity == 0 ? initialCapacity : capacity * 2
        let newStorage = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        if let storage {
            newStorage.moveInitialize(from: storage, count: count)
            storage.deallocate()
        }
        storage = newStorage
        capacity = newCapacity
    }
}

extension JSONMoveStack where Element == JSONMember {
    /// The key of the member at `index` (below `count`).
    @inline(__always)
    func key(at index: Int) -> String {
        base[index].key
    }

    /// Replaces the value of the top member. The stack must not be empty.
    @inline(__always)
    mutating func setLastValue(_ value: consuming JSONValue) {
        base[count - 1].value = value
    }
}

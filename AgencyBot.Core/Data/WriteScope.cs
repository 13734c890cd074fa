namespace AgencyBot.Core.Data;

/// <summary>
/// What a write transaction reads and then writes, so that on PostgreSQL it is serialised only against the
/// transactions that touch the same things. Every write holds PostgreSQL's write lock: <see cref="Everything"/> holds it
/// alone (the default: a job, the admin API, a staff command, anything not audited for narrower locks); any other scope
/// shares it with its kind and adds an exclusive lock per key (a client chat, a project). So a transaction that binds
/// a chat or renumbers a project's tasks waits for every scoped one to end, and two scoped ones wait for each other only
/// when they share a chat or a project. SQLite has one writer at a time whatever the scope.
/// </summary>
public sealed class WriteScope
{
    // Each kind of key in a range of its own, clear of the write lock's and the sending lease's ("Agency…").
    private const long ChatKeys = 0x6300_0000_0000_0000;
    private const long ProjectKeys = 0x7000_0000_0000_0000;

    private WriteScope(bool everything, IReadOnlyList<long> keys) => (IsEverything, Keys) = (everything, keys);

    /// <summary>The whole database, alone.</summary>
    public static readonly WriteScope Everything = new(true, []);

    /// <summary>Rows added that no transaction reads to decide a write (an update taken from Telegram): beside anyone
    /// but a transaction holding <see cref="Everything"/>.</summary>
    public static readonly WriteScope AddsOnly = new(false, []);

    public bool IsEverything { get; }

    /// <summary>The advisory lock keys, ascending (every transaction takes its keys in the same order, so two cannot
    /// each hold one the other waits for).</summary>
    public IReadOnlyList<long> Keys { get; }

    /// <summary>Some client chats and the projects they are bound to.</summary>
    public static WriteScope Of(IEnumerable<long> chatIds, IEnumerable<long> projectIds) =>
        new(false, chatIds.Select(id => ChatKeys + id).Concat(projectIds.Select(id => ProjectKeys + id)).Distinct().Order().ToList());

    /// <summary>Whether everything <paramref name="other"/> locks, this locks too.</summary>
    public bool Covers(WriteScope other) => IsEverything || (!other.IsEverything && other.Keys.All(Keys.Contains));

    public override string ToString() => IsEverything ? "everything" : $"{Keys.Count} keys";
}

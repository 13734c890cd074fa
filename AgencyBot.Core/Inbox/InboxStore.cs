using AgencyBot.Core.Data;

namespace AgencyBot.Core.Inbox;

/// <summary>A pending update's place in line: what dispatching needs, without the update itself (read when claimed).</summary>
public sealed record InboxItem(long UpdateId, long ChatId, long Attempts, long NotBefore, long ReceivedAt);

/// <summary>The inbox table: every received update, unique by update_id, and its handling state.</summary>
public sealed class InboxStore(Database database, TimeProvider clock)
{
    public const int MaxAttempts = 3;

    private const string Insert = """
        INSERT INTO inbox (update_id, chat_id, kind, payload, received_at)
        VALUES (@UpdateId, @ChatId, @Kind, @Payload, @ReceivedAt)
        ON CONFLICT (update_id) DO NOTHING
        """;

    // The whole batch in one statement (one round trip instead of one per update).
    private const string InsertPostgres = """
        INSERT INTO inbox (update_id, chat_id, kind, payload, received_at)
        SELECT u.update_id, u.chat_id, u.kind, u.payload, @ReceivedAt FROM unnest(@UpdateIds, @ChatIds, @Kinds, @Payloads) AS u (update_id, chat_id, kind, payload)
        ON CONFLICT (update_id) DO NOTHING
        """;

    private const string SelectPending = """
        SELECT update_id AS UpdateId, chat_id AS ChatId, attempts AS Attempts, not_before AS NotBefore, received_at AS ReceivedAt
        FROM inbox
        WHERE state = 'pending'
        ORDER BY update_id
        LIMIT @Limit
        """;

    private const string MarkHandled = "UPDATE inbox SET state = 'handled', attempts = attempts + 1, handled_at = @Now";

    private const string MarkHandledPostgres = $"{MarkHandled} WHERE update_id = ANY(@UpdateIds) AND state = 'pending'";

    private const string MarkHandledSqlite = $"{MarkHandled} WHERE update_id IN @UpdateIds AND state = 'pending'";

    private const string RecordFailure = """
        UPDATE inbox
        SET attempts = attempts + 1,
            last_error = @Error,
            not_before = @NotBefore,
            state = CASE WHEN attempts + 1 >= @MaxAttempts THEN 'dead' ELSE 'pending' END
        WHERE update_id = @UpdateId AND state = 'pending'
        RETURNING state
        """;

    private const string SelectPayload = "SELECT payload FROM inbox WHERE update_id = @UpdateId";

    // Handled updates past their retention, but never one a held message still needs; a stranger's sooner.
    private const string Prune = """
        DELETE FROM inbox WHERE state = 'handled' AND update_id NOT IN (SELECT update_id FROM held_messages WHERE released_at IS NULL)
          AND (handled_at < @Before
               OR (handled_at < @StrangersBefore AND chat_id <> @StaffChatId AND chat_id NOT IN (SELECT chat_id FROM chat_bindings)
                   AND chat_id NOT IN (SELECT chat_id FROM conversations) AND chat_id NOT IN (SELECT telegram_user_id FROM staff)))
        """;

    private const string Postpone = "UPDATE inbox SET not_before = @NotBefore, last_error = @Error WHERE update_id = @UpdateId AND state = 'pending'";

    private const string MarkDead = """
        UPDATE inbox SET state = 'dead', attempts = attempts + 1, last_error = @Error WHERE update_id = @UpdateId AND state = 'pending'
        """;

    // Rows another host's transaction holds are skipped, not waited for; rows handled meanwhile are no longer pending.
    private const string ClaimPostgres = """
        SELECT update_id, payload FROM inbox WHERE update_id = ANY(@UpdateIds) AND state = 'pending' ORDER BY update_id FOR UPDATE SKIP LOCKED
        """;

    private const string ClaimSqlite = "SELECT update_id, payload FROM inbox WHERE update_id IN @UpdateIds AND state = 'pending'";

    private const string SelectStates = "SELECT state, COUNT(*) FROM inbox GROUP BY state";

    private const string SelectDead = """
        SELECT update_id AS UpdateId, chat_id AS ChatId, kind AS Kind, attempts AS Attempts, last_error AS LastError, received_at AS ReceivedAt
        FROM inbox WHERE state = 'dead' ORDER BY update_id DESC LIMIT @Limit
        """;

    private const string Retry = """
        UPDATE inbox SET state = 'pending', attempts = 0, not_before = 0, last_error = NULL WHERE update_id = @UpdateId AND state = 'dead'
        """;

    public sealed record DeadLetter(long UpdateId, long ChatId, string Kind, long Attempts, string? LastError, long ReceivedAt);

    /// <summary>Updates that failed three times, newest first.</summary>
    public async Task<IReadOnlyList<DeadLetter>> DeadLettersAsync(int limit, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<DeadLetter>(SelectDead, new { Limit = limit })).AsList();
    }

    /// <summary>Puts a dead-lettered update back in line (once its cause is fixed); false when there is none.</summary>
    public Task<bool> RetryAsync(long updateId, CancellationToken ct = default) =>
        database.WriteAsync(async (c, t) => await c.ExecuteAsync(Retry, new { UpdateId = updateId }, t) == 1, ct);

    public async Task<IReadOnlyDictionary<string, long>> CountByStateAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<(string State, long Count)>(SelectStates)).ToDictionary(r => r.State, r => r.Count);
    }

    /// <summary>Commits a batch of received updates, each exactly as Telegram sent it, in one transaction;
    /// redelivered ids are ignored. Returns how many were new.</summary>
    public Task<int> AddAsync(IReadOnlyCollection<RawUpdate> updates, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        // Rows that no one reads to decide a write: beside the handling of earlier updates, not after it.
        if (database.Provider == DatabaseProvider.Postgres)
            return database.WriteAsync(WriteScope.AddsOnly, (c, t) => c.ExecuteAsync(InsertPostgres, new
            {
                UpdateIds = updates.Select(u => u.Id).ToArray(), ChatIds = updates.Select(u => u.ChatId).ToArray(),
                Kinds = updates.Select(u => u.Kind).ToArray(), Payloads = updates.Select(u => u.Json).ToArray(), ReceivedAt = now,
            }, t), ct);
        var rows = updates.Select(u => new { UpdateId = u.Id, u.ChatId, u.Kind, Payload = u.Json, ReceivedAt = now }).ToList();
        return database.WriteAsync((c, t) => c.ExecuteAsync(Insert, rows, t), ct);
    }

    public async Task<IReadOnlyList<InboxItem>> PendingAsync(int limit, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<InboxItem>(SelectPending, new { Limit = limit })).AsList();
    }

    /// <summary>
    /// Takes those of the given updates still pending for this transaction, and reads them (update_id → the update as
    /// stored). On PostgreSQL, where several hosts handle the inbox, a row another host is handling is locked and left
    /// out (FOR UPDATE SKIP LOCKED); on SQLite the one host's write transaction already excludes everyone.
    /// </summary>
    public static async Task<Dictionary<long, string>> ClaimAsync(IDbConnection connection, IDbTransaction transaction, DatabaseProvider provider,
        IReadOnlyCollection<long> updateIds) =>
        (await connection.QueryAsync<(long UpdateId, string Payload)>(provider == DatabaseProvider.Postgres ? ClaimPostgres : ClaimSqlite,
            new { UpdateIds = updateIds.ToArray() }, transaction)).ToDictionary(r => r.UpdateId, r => r.Payload);

    /// <summary>Marks updates handled inside their handlers' transaction, so the effects and the marks commit
    /// together. Returns how many were still pending (the others another pass has handled, or is handling).</summary>
    public static Task<int> MarkHandledAsync(IDbConnection connection, IDbTransaction transaction, DatabaseProvider provider,
        IReadOnlyCollection<long> updateIds, DateTimeOffset now) =>
        connection.ExecuteAsync(provider == DatabaseProvider.Postgres ? MarkHandledPostgres : MarkHandledSqlite,
            new { UpdateIds = updateIds.ToArray(), Now = now.ToUnixTimeMilliseconds() }, transaction);

    /// <summary>Records a failed attempt in the caller's transaction; returns true when the update is now dead-lettered.</summary>
    public static async Task<bool> RecordFailureAsync(IDbConnection connection, IDbTransaction transaction, long updateId, string error,
        DateTimeOffset retryAt) =>
        await connection.QuerySingleOrDefaultAsync<string>(RecordFailure,
            new { UpdateId = updateId, Error = error, MaxAttempts, NotBefore = retryAt.ToUnixTimeMilliseconds() }, transaction) == "dead";

    /// <summary>Dead-letters an update at once, in the caller's transaction (one that can never be read).</summary>
    public static Task DeadLetterAsync(IDbConnection connection, IDbTransaction transaction, long updateId, string error) =>
        connection.ExecuteAsync(MarkDead, new { UpdateId = updateId, Error = error }, transaction);

    /// <summary>A stored update, read again (a held message being filed or sent later); null when it is not there.</summary>
    public static async Task<Update?> ReadAsync(IDbConnection connection, IDbTransaction transaction, long updateId) =>
        await PayloadAsync(connection, transaction, updateId) is { } payload ? UpdateReader.Read(payload).Update : null;

    /// <summary>A stored update as Telegram sent it; null when it is not there.</summary>
    public static Task<string?> PayloadAsync(IDbConnection connection, IDbTransaction transaction, long updateId) =>
        connection.ExecuteScalarAsync<string?>(SelectPayload, new { UpdateId = updateId }, transaction);

    /// <summary>Tries the update again at <paramref name="notBefore"/> without counting a failed attempt.</summary>
    public static Task PostponeAsync(IDbConnection connection, IDbTransaction transaction, long updateId, string why, DateTimeOffset notBefore) =>
        connection.ExecuteAsync(Postpone, new { UpdateId = updateId, Error = why, NotBefore = notBefore.ToUnixTimeMilliseconds() }, transaction);

    /// <summary>Deletes handled updates older than <paramref name="before"/>, and a stranger's older than
    /// <paramref name="strangersBefore"/>; returns how many.</summary>
    public static Task<int> PruneAsync(IDbConnection connection, IDbTransaction transaction, DateTimeOffset before, DateTimeOffset strangersBefore,
        long staffChatId) =>
        connection.ExecuteAsync(Prune, new
        {
            Before = before.ToUnixTimeMilliseconds(), StrangersBefore = strangersBefore.ToUnixTimeMilliseconds(), StaffChatId = staffChatId,
        }, transaction);
}

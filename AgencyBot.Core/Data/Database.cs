using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AgencyBot.Core.Data;

public enum DatabaseProvider
{
    /// <summary>One file, one host: the default.</summary>
    Sqlite,

    /// <summary>Several hosts sharing one PostgreSQL database.</summary>
    Postgres,
}

/// <summary>
/// Hands out a fresh, configured connection per operation and runs write transactions.
/// <para>Writes are serialized, on both engines. Every store was written for one writer at a time (read, decide,
/// write in one transaction), which is what SQLite gives; on PostgreSQL the same guarantee across hosts comes from
/// a transaction-level advisory lock taken first in every write transaction. Within this process an async gate
/// queues writers before they reach the database: cheaper and fairer than SQLite's busy handler or a pile of
/// PostgreSQL backends waiting on the lock.</para>
/// </summary>
public sealed class Database : IAsyncDisposable
{
    /// <summary>The advisory lock every PostgreSQL write transaction takes ("AgencyBt" in ASCII).</summary>
    private const long WriteLock = 0x4167656E63794274;

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly NpgsqlDataSource? _postgres;

    public Database(string connectionString, DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        ConnectionString = connectionString;
        Provider = provider;
        if (provider == DatabaseProvider.Postgres) _postgres = NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }

    public DatabaseProvider Provider { get; }

    /// <summary>Raised after every committed write: the outbox sender listens, so whatever a write queued (from a
    /// job, the admin API or an update) is sent without waiting for the next poll.</summary>
    public event Action? Committed;

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        if (_postgres is not null) return await _postgres.OpenConnectionAsync(ct);
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(ct);
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: holding
    /// the write lock) and commits it.</summary>
    public Task<T> WriteAsync<T>(Func<DbConnection, IDbTransaction, Task<T>> work, CancellationToken ct = default) =>
        ClaimAndWriteAsync<object?, T>((_, _) => Task.FromResult<object?>(null), (c, t, _) => work(c, t), ct);

    /// <summary>
    /// Like <see cref="WriteAsync{T}"/>, with a first step that claims what the transaction will work on. On PostgreSQL
    /// the claim runs before the write lock is taken, so rows it locks (FOR UPDATE SKIP LOCKED) are seen as taken by
    /// other hosts at once, instead of after they queued for the lock; <paramref name="work"/> then runs under the lock
    /// with what was claimed.
    /// </summary>
    public async Task<T> ClaimAndWriteAsync<TClaim, T>(Func<DbConnection, IDbTransaction, Task<TClaim>> claim,
        Func<DbConnection, IDbTransaction, TClaim, Task<T>> work, CancellationToken ct = default)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var transaction = connection is SqliteConnection sqlite
                ? sqlite.BeginTransaction(deferred: false)
                : await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var claimed = await claim(connection, transaction);
            if (_postgres is not null)
                await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@WriteLock)", new { WriteLock }, transaction, cancellationToken: ct));
            var result = await work(connection, transaction, claimed);
            await transaction.CommitAsync(ct);
            Committed?.Invoke();
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public Task WriteAsync(Func<DbConnection, IDbTransaction, Task> work, CancellationToken ct = default) =>
        WriteAsync<bool>(async (c, t) => { await work(c, t); return true; }, ct);

    /// <summary>Flags are 0/1 integers on both engines (SQLite has no boolean); PostgreSQL will not store or compare a
    /// boolean parameter as one, so flags are passed through this.</summary>
    public static int Flag(bool value) => value ? 1 : 0;

    public ValueTask DisposeAsync() => _postgres?.DisposeAsync() ?? ValueTask.CompletedTask;
}

using System.Data;
using Microsoft.Data.Sqlite;

namespace AgencyBot.Core.Data;

/// <summary>
/// Hands out a fresh, configured SQLite connection per operation and runs write transactions.
/// Writes from this process are serialized by an async gate: SQLite has one writer anyway, and waiting
/// on our gate is cheaper and fairer than spinning in SQLite's busy handler. busy_timeout still covers
/// other processes (a backup, a second host during a restart).
/// </summary>
public sealed class Database(string connectionString)
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public string ConnectionString { get; } = connectionString;

    /// <summary>Raised after every committed write: the outbox sender listens, so whatever a write queued (from a
    /// job, the admin API or an update) is sent without waiting for the next poll.</summary>
    public event Action? Committed;

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct = default)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(ct);
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one BEGIN IMMEDIATE transaction and commits it.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, IDbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var transaction = connection.BeginTransaction(deferred: false);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(ct);
            Committed?.Invoke();
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public Task WriteAsync(Func<SqliteConnection, IDbTransaction, Task> work, CancellationToken ct = default) =>
        WriteAsync<bool>(async (c, t) => { await work(c, t); return true; }, ct);
}

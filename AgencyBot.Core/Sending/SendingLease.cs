using AgencyBot.Core.Outbox;
using AgencyBot.Core.Data;
using Npgsql;

namespace AgencyBot.Core.Sending;

/// <summary>
/// The right to send. Telegram's limits are per bot and per chat, and what keeps to them (the token buckets, the
/// 429 pauses, one request in flight per chat) lives in the sending process; so when several hosts share one
/// PostgreSQL database exactly one of them sends: the one holding a session-level advisory lock on a connection of
/// its own. Every host still takes updates and handles them; the outbox rows they write wait for the sender.
/// If the sending host dies its connection drops, PostgreSQL releases the lock and another host takes over on its
/// next check. With SQLite there is one host, and it always holds the lease.
/// </summary>
public sealed class SendingLease(Database database, TimeProvider clock, ILogger<SendingLease> logger) : IAsyncDisposable
{
    /// <summary>"AgencySn" in ASCII; a different lock from the write lock.</summary>
    private const long LeaseLock = 0x4167656E6379536E;
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(2);

    private NpgsqlConnection? _session;
    private LeaseHolder? _holder;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;
    private bool _held;

    /// <summary>The session holding the lease, while this host believes it does (PostgreSQL): every claim of rows to send
    /// checks that this session still holds it, so a host that lost the lease sends nothing more, not even until its
    /// next check.</summary>
    public LeaseHolder? Holder => _held ? _holder : null;

    /// <summary>Whether this host may send now. Cheap: the database is asked at most every two seconds.</summary>
    public async ValueTask<bool> HeldAsync(CancellationToken ct)
    {
        if (database.Provider == DatabaseProvider.Sqlite) return true;
        var now = clock.GetUtcNow();
        if (now - _checkedAt < CheckEvery) return _held;
        _checkedAt = now;
        var held = _session is null ? await TryAcquireAsync(ct) : await StillAliveAsync(ct);
        if (held != _held) logger.LogInformation(held ? "This host now sends the outbox" : "This host no longer sends the outbox");
        _held = held;
        return held;
    }

    private async Task<bool> TryAcquireAsync(CancellationToken ct)
    {
        // Not from the pool: a pooled connection is reset when returned, which would release the lock.
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false, KeepAlive = 5 };
        var session = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await session.OpenAsync(ct);
            if (await session.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_lock(@LeaseLock)", new { LeaseLock }))
            {
                _session = session;
                _holder = new LeaseHolder(session.ProcessID, LeaseLock);
                return true;
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not ask the database for the sending lease");
        }
        await session.DisposeAsync();
        return false;
    }

    private async Task<bool> StillAliveAsync(CancellationToken ct)
    {
        try
        {
            await _session!.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // The session is gone, and the lock with it: another host may be sending already.
            logger.LogWarning(ex, "The sending lease's connection broke; stopping sends until the lease is taken again");
            await _session!.DisposeAsync();
            _session = null;
            _holder = null;
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is not null) await _session.DisposeAsync();
    }
}

using Dapper;
using AgencyBot.Core.Data;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Data;

/// <summary>
/// PostgreSQL's write locks, between two hosts (two database objects: two processes, as far as locks go): transactions
/// of different chats or projects go side by side, the same project waits its turn, a transaction of scope Everything
/// waits for all of them and holds up all of them.
/// </summary>
public sealed class WriteScopeTests
{
    private static readonly TimeSpan Held = TimeSpan.FromMilliseconds(700);

    /// <summary>Host A holds a transaction of <paramref name="scope"/> open until the returned release is called.</summary>
    private static async Task<(Task Done, Action Release)> HoldAsync(Database host, WriteScope scope)
    {
        var entered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var done = host.WriteAsync(scope, async (_, _) =>
        {
            entered.SetResult();
            await release.Task;
        });
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return (done, release.SetResult);
    }

    private static Task Write(Database host, WriteScope scope, long marker) =>
        host.WriteAsync(scope, (c, t) => c.ExecuteAsync("INSERT INTO inbox (update_id, chat_id, kind, payload, received_at) VALUES (@marker, 1, 'Message', '{}', 0)",
            new { marker }, t));

    /// <summary>Whether <paramref name="task"/> finishes while the other host holds its lock.</summary>
    private static async Task<bool> GoesThroughAsync(Task task) => await Task.WhenAny(task, Task.Delay(Held)) == task;

    [Test]
    public async Task AProjectsTransaction_LetsOtherProjectsThrough_HoldsUpItsOwn_AndEverythingWaitsForIt()
    {
        TempDatabase.RequirePostgres();
        await using var db = await TempDatabase.CreateMigratedAsync();
        await using var hostA = new Database(db.ConnectionString, DatabaseProvider.Postgres);
        await using var hostB = new Database(db.ConnectionString, DatabaseProvider.Postgres);

        var (held, release) = await HoldAsync(hostA, WriteScope.Of([601], [1]));
        // One after the other: a transaction of scope Everything, once it waits, holds up those that come after it.
        var otherProject = Write(hostB, WriteScope.Of([602], [2]), 1);
        var intake = Write(hostB, WriteScope.AddsOnly, 2);
        var results = new List<bool> { await GoesThroughAsync(otherProject), await GoesThroughAsync(intake) };
        var sameProject = Write(hostB, WriteScope.Of([603], [1]), 3);
        var sameChat = Write(hostB, WriteScope.Of([601], []), 4);
        results.AddRange([await GoesThroughAsync(sameProject), await GoesThroughAsync(sameChat)]);
        var everything = Write(hostB, WriteScope.Everything, 5);
        results.Add(await GoesThroughAsync(everything));
        release();
        await Task.WhenAll(held, otherProject, intake, sameProject, sameChat, everything).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(async () =>
        {
            Assert.That(results, Is.EqualTo(new[] { true, true, false, false, false }), "other project, intake, same project, same chat, everything");
            Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox"), Is.EqualTo(5), "each went through once released");
        });
    }

    [Test]
    public async Task EverythingHeld_HoldsUpEveryScope()
    {
        TempDatabase.RequirePostgres();
        await using var db = await TempDatabase.CreateMigratedAsync();
        await using var hostA = new Database(db.ConnectionString, DatabaseProvider.Postgres);
        await using var hostB = new Database(db.ConnectionString, DatabaseProvider.Postgres);

        var (held, release) = await HoldAsync(hostA, WriteScope.Everything);
        var project = Write(hostB, WriteScope.Of([602], [2]), 1);
        var intake = Write(hostB, WriteScope.AddsOnly, 2);
        var results = new[] { await GoesThroughAsync(project), await GoesThroughAsync(intake) };
        release();
        await Task.WhenAll(held, project, intake).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(results, Is.EqualTo(new[] { false, false }));
    }

    [Test]
    public async Task AScopeThatGrewWhileItsLocksWereAwaited_StartsAgainHoldingEverything()
    {
        TempDatabase.RequirePostgres();
        await using var db = await TempDatabase.CreateMigratedAsync();
        await using var other = new Database(db.ConnectionString, DatabaseProvider.Postgres);
        var asked = 0;
        var claims = 0;
        var worked = 0;
        Task? beside = null;

        // The first reading says chat 601 alone; read again under the locks, the chat has been bound to project 7.
        var wentThrough = await db.Database.ClaimAndWriteAsync(
            (_, _) => Task.FromResult(++claims),
            (_, _, _) => Task.FromResult(++asked == 1 ? WriteScope.Of([601], []) : WriteScope.Of([601], [7])),
            async (_, _, _) =>
            {
                worked++;
                // Alone: another host cannot take even the shared lock meanwhile.
                beside = other.WriteAsync(WriteScope.AddsOnly, (_, _) => Task.CompletedTask);
                return await GoesThroughAsync(beside);
            });
        await beside!.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(asked, Is.EqualTo(2), "read before the locks and again under them; not again once alone");
            Assert.That(claims, Is.EqualTo(2), "the transaction started again");
            Assert.That(worked, Is.EqualTo(1));
            Assert.That(wentThrough, Is.False, "the other host waited");
        });
    }
}

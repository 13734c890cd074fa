using AgencyBot.Core.Data;
using AgencyBot.Core.Inbox;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Inbox;

/// <summary>How a host takes inbox rows for a transaction, with another host working on the same table.</summary>
public sealed class InboxClaimTests
{
    [Test]
    public async Task RowsAnotherHostIsHandling_AreSkipped_NotWaitedFor_AndHandledRowsAreNotClaimedAgain()
    {
        TempDatabase.RequirePostgres();
        await using var db = await TempDatabase.CreateMigratedAsync();
        for (var id = 1; id <= 8; id++)
            await db.ExecuteAsync("INSERT INTO inbox (update_id, chat_id, kind, payload, received_at) VALUES (@id, 1, 'Message', '{}', 0)", new { id });
        await db.ExecuteAsync("UPDATE inbox SET state = 'handled' WHERE update_id = 8");
        // Host A: a separate database object (another process, as far as locks go) holding rows 1-5 in its transaction.
        await using var hostA = new Database(db.ConnectionString, DatabaseProvider.Postgres);
        var release = new TaskCompletionSource();
        var aClaimed = new TaskCompletionSource<ICollection<long>>();
        var a = hostA.ClaimAndWriteAsync((c, t) => InboxStore.ClaimAsync(c, t, DatabaseProvider.Postgres, [1, 2, 3, 4, 5]), async (_, _, claimed) =>
        {
            aClaimed.SetResult(claimed.Keys);
            await release.Task;
            return claimed.Count;
        });
        await aClaimed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Host B asks for everything while A still holds its rows.
        await using var connection = await db.Database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var bClaimed = await InboxStore.ClaimAsync(connection, transaction, DatabaseProvider.Postgres, [1, 2, 3, 4, 5, 6, 7, 8])
            .WaitAsync(TimeSpan.FromSeconds(5)); // a wait for A's locks would time out here
        await transaction.RollbackAsync();
        release.SetResult();
        await a;

        Assert.Multiple(async () =>
        {
            Assert.That(await aClaimed.Task, Is.EquivalentTo(new long[] { 1, 2, 3, 4, 5 }));
            Assert.That(bClaimed.Keys, Is.EquivalentTo(new long[] { 6, 7 }), "A's rows skipped, the handled one not claimed");
        });
    }

    [Test]
    public async Task OnSqlite_TheWriteTransactionExcludesEveryoneElse_SoEveryPendingIdIsClaimed_WithTheUpdateAsStored()
    {
        if (TempDatabase.OnPostgres) Assert.Ignore("The SQLite case.");
        await using var db = await TempDatabase.CreateMigratedAsync();
        for (var id = 1; id <= 4; id++)
            await db.ExecuteAsync("INSERT INTO inbox (update_id, chat_id, kind, payload, received_at) VALUES (@id, 1, 'Message', @Payload, 0)",
                new { id, Payload = $"{{\"update_id\":{id}}}" });
        await db.ExecuteAsync("UPDATE inbox SET state = 'handled' WHERE update_id = 4");

        var claimed = await db.Database.ClaimAndWriteAsync((c, t) => InboxStore.ClaimAsync(c, t, DatabaseProvider.Sqlite, [3, 1, 2, 4]),
            (_, _, rows) => Task.FromResult(rows));

        Assert.That(claimed, Is.EquivalentTo(new Dictionary<long, string> { [1] = "{\"update_id\":1}", [2] = "{\"update_id\":2}", [3] = "{\"update_id\":3}" }));
    }
}

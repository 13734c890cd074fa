using AgencyBot.Core.Data;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Sending;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Telegram.Bot.Requests;

namespace AgencyBot.Tests.Outbox;

/// <summary>The sending lease fences every claim: a host whose lease session is gone claims nothing more, even before
/// its next check of the lease (which would otherwise let it go on sending for up to two seconds).</summary>
public sealed class SendingLeaseTests
{
    [Test]
    public async Task OnceTheLeaseSessionIsGone_NoRowIsClaimed_BeforeTheNextCheck()
    {
        TempDatabase.RequirePostgres();
        await using var db = await TempDatabase.CreateMigratedAsync();
        await using var lease = new SendingLease(db.Database, TimeProvider.System, NullLogger<SendingLease>.Instance);
        var outbox = new OutboxStore(db.Database, TimeProvider.System);
        async Task<long> QueueAsync(string text) => await db.Database.WriteAsync((c, t) =>
            outbox.EnqueueAsync(c, t, 601, new SendMessageRequest { ChatId = 601, Text = text }));

        Assert.That(await lease.HeldAsync(CancellationToken.None), Is.True);
        var holder = lease.Holder;
        var before = await outbox.ClaimAsync([await QueueAsync("one")], holder);
        // The lease's session is cut (a network partition, an administrator): PostgreSQL drops its lock with it.
        var second = await QueueAsync("two");
        await db.ExecuteAsync("SELECT pg_terminate_backend(@Pid)", new { holder!.Pid });
        await Eventually.HoldsAsync(() => db.ScalarAsync<long>("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = @Pid", new { holder.Pid }), n => n == 0,
            TimeSpan.FromSeconds(10), "the lease session gone");
        var after = await outbox.ClaimAsync([second], lease.Holder);

        Assert.Multiple(async () =>
        {
            Assert.That(before, Has.Count.EqualTo(1), "claimed while the lease was held");
            Assert.That(lease.Holder, Is.Not.Null, "the host has not checked its lease again yet");
            Assert.That(after, Is.Empty, "nothing claimed, so nothing sent, once the lease is gone");
            Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE id = @second AND claimed_at IS NULL", new { second }), Is.EqualTo(1));
        });
    }
}

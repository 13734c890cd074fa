using AgencyBot.Core.Clients;
using AgencyBot.Core.Conversations;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace AgencyBot.Tests.Security;

/// <summary>What is kept and for how long: a stranger is answered once a while and forgotten, handled updates are
/// deleted after their retention, and the conversation record stays.</summary>
public sealed class StrangersAndRetentionTests : AgencyTest
{
    private const long Anna = 601, Stranger = 777;
    private FakeTimeProvider _clock = null!;

    protected override Task<AgencyWorld> StartAgencyAsync()
    {
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        return AgencyWorld.StartAsync(clock: _clock);
    }

    private async Task StrangerWritesAsync(string text)
    {
        var update = World.Telegram.ClientSends(Stranger, text, firstName: "Mallory");
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<string>("SELECT COALESCE((SELECT state FROM inbox WHERE update_id = @update), '')", new { update }),
            s => s == "handled", AgencyWorld.Timeout, "handled");
        await World.SettledAsync();
    }

    private int RepliesToTheStranger => World.Telegram.SentTo(Stranger).Count(m => m.Text == ClientTexts.Get("NotLinked", "en"));

    [Test]
    public async Task AStranger_IsToldHowToLinkTheChatOnceADay_NotOnceAMessage()
    {
        for (var i = 0; i < 5; i++) await StrangerWritesAsync($"spam {i}");
        var firstDay = RepliesToTheStranger;
        _clock.Advance(TimeSpan.FromDays(1));
        await StrangerWritesAsync("a day later");

        Assert.Multiple(() =>
        {
            Assert.That(firstDay, Is.EqualTo(1));
            Assert.That(RepliesToTheStranger, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task AStranger_TypingCommands_IsAnsweredOnceADayToo()
    {
        foreach (var command in new[] { "/help", "/start", "/status", "/project", "/task spam", "/help" }) await StrangerWritesAsync(command);

        Assert.That(World.Telegram.SentTo(Stranger), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task StrangersAndHandledUpdates_AreDeletedAfterTheirRetention_TheConversationRecordStays()
    {
        var (_, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Anna, code, firstName: "Anna");
        World.Telegram.ClientSends(Anna, "Keep this on record", firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("Keep this on record") == true));
        await StrangerWritesAsync("who are you?");
        var retention = World.Host.Get<Retention>();

        _clock.Advance(TimeSpan.FromDays(8));
        await retention.PruneAsync();
        var afterAWeek = (
            Anna: await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE chat_id = @Anna", new { Anna }),
            Stranger: await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE chat_id = @Stranger", new { Stranger }),
            StrangerChat: await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM client_chats WHERE chat_id = @Stranger", new { Stranger }));
        _clock.Advance(TimeSpan.FromDays(23));
        await retention.PruneAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(afterAWeek.Anna, Is.GreaterThan(0), "a client's updates are kept for their retention");
            Assert.That(afterAWeek.Stranger, Is.Zero, "a stranger's are gone after a week");
            Assert.That(afterAWeek.StrangerChat, Is.Zero);
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'handled'"), Is.Zero, "after 30 days none is left");
            Assert.That(await World.Db.ScalarAsync<string>("SELECT text FROM messages WHERE direction = 'client'"), Is.EqualTo("Keep this on record"));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM client_chats WHERE chat_id = @Anna", new { Anna }), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task AHeldMessage_KeepsItsUpdate_PastTheRetention()
    {
        var (_, first) = await World.ProjectAsync("Acme", "Site");
        var (_, second) = await World.ProjectAsync("Globex", "Shop");
        await World.LinkPrivateChatAsync(Anna, first, firstName: "Anna");
        await World.LinkPrivateChatAsync(Anna, second, firstName: "Anna");
        var held = World.Telegram.ClientSends(Anna, "which project is this?", firstName: "Anna");
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM held_messages WHERE update_id = @held", new { held }),
            n => n == 1, AgencyWorld.Timeout, "held");

        _clock.Advance(TimeSpan.FromDays(40));
        await World.Host.Get<Retention>().PruneAsync();

        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE update_id = @held", new { held }), Is.EqualTo(1));
    }
}

using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>Reactions as quiet signals: a staff 👍 on a relayed message is "on it" (and the client sees 👀), a 👌 is
/// Close; the client's message gets 👌 once it is answered. A reaction never counts as an answer.</summary>
public sealed class ReactionsTests : AgencyTest
{
    private const long Anna = 601;
    private int _topic;

    [SetUp]
    public async Task ProjectAsync() => await World.ProjectWithClientAsync(Anna);

    private async Task<(int ClientMessage, int Relay)> AnnaAsksAsync(string text)
    {
        var id = World.Telegram.ClientSendsReturningId(Anna, text, firstName: "Anna");
        if (_topic == 0) _topic = await World.TopicAsync();
        var relay = (await World.WaitForAsync(s => s.Any(m => m.ThreadId == _topic && m.Text?.Contains(text) == true))).First(m => m.Text?.Contains(text) == true);
        return (id, relay.MessageId);
    }

    private IReadOnlyList<(long Chat, long Message, string Emoji)> BotReactions() =>
        World.Telegram.Requests.Where(r => r.Method == "setMessageReaction")
            .Select(r => ((long)r.Body["chat_id"]!, (long)r.Body["message_id"]!, (string)r.Body["reaction"]![0]!["emoji"]!)).ToList();

    [Test]
    public async Task AThumbsUp_IsOnIt_TheClientSeesEyes_AndTheAnswerGetsOk()
    {
        var (asked, relay) = await AnnaAsksAsync("Is the site up?");
        World.Telegram.Reacts(AgencyWorld.StaffChat, relay, 7777, "👍", firstName: "Stranger");
        World.Telegram.Reacts(AgencyWorld.StaffChat, relay, AgencyWorld.Assistant, "👍", firstName: "Marie");
        await World.WaitForAsync(s => s.Any(m => m.Text == "👍 Marie is on it."));
        await World.SettledAsync();
        var onIt = (Acked: await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE acked_at IS NOT NULL AND waiting_since IS NOT NULL"),
            Answers: await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM response_log"));
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Yes, it is back.", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Yes, it is back") == true));
        await Eventually.HoldsAsync(() => Task.FromResult(BotReactions()), r => r.Count == 2, AgencyWorld.Timeout, "two reactions");

        Assert.Multiple(() =>
        {
            Assert.That(onIt, Is.EqualTo((1L, 0L)), "on it, still waiting: a reaction is no answer");
            Assert.That(BotReactions(), Is.EqualTo(new[] { ((long)Anna, (long)asked, "👀"), ((long)Anna, (long)asked, "👌") }));
            Assert.That(World.Telegram.Sent.Count(m => m.Text?.Contains("Stranger") == true), Is.Zero, "a stranger's reaction does nothing");
        });
    }

    [Test]
    public async Task AnOkHand_ClosesTheConversation_WithoutAnAnswer()
    {
        var (_, relay) = await AnnaAsksAsync("Thanks, all good!");
        World.Telegram.Reacts(AgencyWorld.StaffChat, relay, AgencyWorld.Assistant, "👌", firstName: "Marie");
        await World.WaitForAsync(s => s.Any(m => m.Text == "✔️ Marie closed it: no answer needed."));
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE waiting_since IS NOT NULL"), Is.Zero);
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM response_log"), Is.Zero, "closing is not answering");
            Assert.That(await World.Db.ScalarAsync<string>("SELECT text FROM messages WHERE kind = 'reaction'"), Is.EqualTo("reacted 👌"), "on the record");
        });
    }
}

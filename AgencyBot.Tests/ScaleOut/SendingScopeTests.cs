using AgencyBot.Core.Data;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.ScaleOut;

/// <summary>
/// On PostgreSQL what the sender records of a failed send locks only what it touches: a row put back for a later try
/// (Telegram down, a 429) locks its chat, an answer refused for good the chat and the project whose topic is told. So
/// a failing Telegram, rows put back by the hundred, holds up no other client's handling on any host; and each waits
/// while another host works on that chat.
/// </summary>
public sealed class SendingScopeTests : OneProjectOnPostgresTest
{
    /// <summary>Whether one of the outbox rows to <paramref name="chat"/> (Anna's by default) is recorded as Telegram
    /// refused it (put back with the error, or failed) within <paramref name="patience"/>.</summary>
    private async Task<bool> FailureRecordedWithinAsync(string state, TimeSpan patience, long chat = Anna)
    {
        var deadline = DateTime.UtcNow + patience;
        while (await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE chat_id = @Chat AND state = @State AND last_error IS NOT NULL",
                   new { Chat = chat, State = state }) == 0)
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(25);
        }
        return true;
    }

    /// <summary>Whether the failure of what <paramref name="send"/> queues is recorded within <paramref name="patience"/>
    /// while another host holds <paramref name="held"/>; and whether it is once that host let go.</summary>
    private async Task<(bool WhileHeld, bool After)> RecordedWhileAnotherHostHoldsAsync(WriteScope held, Action send, string state, TimeSpan patience,
        long chat = Anna)
    {
        var other = await AnotherHost.HoldsAsync(World.Db.ConnectionString, held);
        bool whileHeld;
        try
        {
            send();
            whileHeld = await FailureRecordedWithinAsync(state, patience, chat);
        }
        finally
        {
            await other.ReleaseAsync();
        }
        return (whileHeld, await FailureRecordedWithinAsync(state, TimeSpan.FromSeconds(10), chat));
    }

    [Test]
    public async Task AnAnswerTelegramFailsToTake_IsPutBackWhileAnotherClientIsWorkedOn()
    {
        World.Telegram.Fail("sendMessage", 502, "Bad Gateway", chatId: Anna);

        var (whileHeld, _) = await RecordedWhileAnotherHostHoldsAsync(WriteScope.Of([Anna + 1000], [Project + 1000]),
            () => MarieAnswers("The invoice is on its way"), "pending", TimeSpan.FromSeconds(10));

        Assert.That(whileHeld, Is.True, "the 502 was recorded beside the other client's transaction");
    }

    [Test]
    public async Task AnAnswerTelegramAsksToWaitFor_IsPutBackOnceTheTransactionOnThisChatEnds()
    {
        // Telegram holds the answer's request until the other host holds Anna's chat, then answers 429.
        World.Telegram.Hang("sendMessage", times: 1, thenStatus: 429, thenDescription: "Too Many Requests: retry after 5");
        MarieAnswers("The invoice is on its way");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Any(r => r.Method == "sendMessage" && r.Text?.StartsWith("The invoice is on its way", StringComparison.Ordinal) == true)),
            asked => asked, AgencyWorld.Timeout, "the answer's request held by Telegram");

        var recorded = await RecordedWhileAnotherHostHoldsAsync(WriteScope.Of([Anna], []), World.Telegram.ReleaseHangs, "pending", TimeSpan.FromSeconds(1));

        Assert.That(recorded, Is.EqualTo((false, true)), "the 429 waited for the transaction on Anna's chat, then was recorded");
    }

    [Test]
    public async Task RelaysSharingAPostTelegramFailsToTake_AreGivenBackWhileAnotherClientIsWorkedOn_ThenAllGo()
    {
        // Telegram holds the relay of Anna's first message while the rest of her burst queues behind it; released, the
        // rest go as one post, which fails: what rode along is given back, the post's head put back for a later try.
        World.Telegram.Hang("sendMessage", times: 1);
        World.Telegram.Fail("sendMessage", 502, "Bad Gateway", chatId: AgencyWorld.StaffChat);
        World.Telegram.ClientSends(Anna, "First", firstName: "Anna");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Any(r => r.Method == "sendMessage" && r.Text?.Contains("First") == true)),
            asked => asked, AgencyWorld.Timeout, "the first relay held by Telegram");
        string[] burst = ["Second", "Third", "Fourth"];
        foreach (var text in burst) World.Telegram.ClientSends(Anna, text, firstName: "Anna");
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE chat_id = @Chat AND state = 'pending'",
            new { Chat = AgencyWorld.StaffChat }), queued => queued >= burst.Length + 1, AgencyWorld.Timeout, "the burst queued behind the first relay");

        var (whileHeld, _) = await RecordedWhileAnotherHostHoldsAsync(WriteScope.Of([Anna + 1000], [Project + 1000]), World.Telegram.ReleaseHangs,
            "pending", TimeSpan.FromSeconds(10), chat: AgencyWorld.StaffChat);
        Clock.Advance(TimeSpan.FromMinutes(5));
        var relayed = await World.WaitForAsync(s => burst.All(text => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(text) == true)));

        Assert.Multiple(() =>
        {
            Assert.That(whileHeld, Is.True, "the shared post's failure was recorded beside the other client's transaction");
            Assert.That(burst.Select(text => relayed.Count(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(text) == true)), Is.All.EqualTo(1),
                "each message of the burst relayed once, after all");
        });
    }

    [Test]
    public async Task AnAnswerTelegramRefuses_IsToldInTheTopicWhileAnotherProjectIsWorkedOn()
    {
        World.Telegram.Fail("sendMessage", 400, "Bad Request: message text is empty", chatId: Anna);
        var (whileHeld, _) = await RecordedWhileAnotherHostHoldsAsync(WriteScope.Of([Anna + 1000], [Project + 1000]), () => MarieAnswers("Here it is"),
            "failed", TimeSpan.FromSeconds(10));
        var notice = (await World.WaitForAsync(s => s.Any(m => m.ThreadId == Topic && m.Text?.StartsWith("⚠️ Not delivered", StringComparison.Ordinal) == true)))
            .Single(m => m.ThreadId == Topic && m.Text?.StartsWith("⚠️ Not delivered", StringComparison.Ordinal) == true);

        Assert.Multiple(() =>
        {
            Assert.That(whileHeld, Is.True, "the refusal was recorded beside the other project's transaction");
            Assert.That(notice.Text, Does.Contain("message text is empty"));
        });
    }

    [Test]
    public async Task ARetryOfARefusedAnswer_GoesWhileAnotherProjectIsWorkedOn_AndTheAnswerArrives()
    {
        World.Telegram.Fail("sendMessage", 400, "Bad Request: message text is empty", chatId: Anna);
        MarieAnswers("Here it is");
        var notice = (await World.WaitForAsync(s => s.Any(m => m.ThreadId == Topic && m.Text?.StartsWith("⚠️ Not delivered", StringComparison.Ordinal) == true)))
            .Single(m => m.ThreadId == Topic && m.Text?.StartsWith("⚠️ Not delivered", StringComparison.Ordinal) == true);
        await World.SettledAsync();

        var other = await AnotherHost.HoldsAsync(World.Db.ConnectionString, WriteScope.Of([Anna + 1000], [Project + 1000]));
        try
        {
            World.Telegram.Presses(AgencyWorld.StaffChat, notice.MessageId, notice.Button("🔁 Retry"), userId: AgencyWorld.Assistant, firstName: "Marie");
            await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Any(r => r.Method == "answerCallbackQuery" && r.Text == "Trying again.")),
                answered => answered, AgencyWorld.Timeout, "the Retry answered while another project is worked on");
        }
        finally
        {
            await other.ReleaseAsync();
        }

        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Here it is", StringComparison.Ordinal) == true));
    }
}

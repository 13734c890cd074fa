using System.Data;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Sending;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Requests;
using Telegram.Bot.Types;

namespace AgencyBot.Tests.Outbox;

/// <summary>
/// What the sender makes of each way a send can fail, as a table: the messenger (the port to Telegram) is mocked to
/// fail one way, the outbox is a real database, and the delivery listener records what it was told. The same
/// failures come over the wire from the fake Bot API in the delivery tests; here each is one line.
/// </summary>
public sealed class FailureClassificationTests
{
    private const long Chat = 501;

    public sealed record Case(string Name, Exception Failure, ChatLoss Loss, string State, long Attempts, bool Refused, bool Blocked, bool Delivered)
    {
        public override string ToString() => Name;
    }

    private static IEnumerable<Case> Cases() =>
    [
        new("blocked by the user", new ApiRequestException("Forbidden: bot was blocked by the user", 403), ChatLoss.NotLost,
            "failed", 1, Refused: true, Blocked: true, Delivered: false),
        new("a bad request", new ApiRequestException("Bad Request: message text is empty", 400), ChatLoss.NotLost,
            "failed", 1, Refused: true, Blocked: false, Delivered: false),
        new("an edit that changes nothing", new ApiRequestException("Bad Request: message is not modified", 400), ChatLoss.NotLost,
            "sent", 1, Refused: false, Blocked: false, Delivered: true),
        new("too many requests", new ApiRequestException("Too Many Requests: retry after 7", 429, new ResponseParameters { RetryAfter = 7 }),
            ChatLoss.NotLost, "pending", 0, Refused: false, Blocked: false, Delivered: false),
        new("the staff chat lost", new ApiRequestException("Forbidden: bot was kicked from the supergroup chat", 403), ChatLoss.Lost,
            "pending", 0, Refused: false, Blocked: false, Delivered: false),
        new("refused before the bot was back", new ApiRequestException("Bad Request: not enough rights to send text messages", 400), ChatLoss.Stale,
            "pending", 0, Refused: false, Blocked: false, Delivered: false),
        new("Telegram down", new HttpRequestException("Connection refused"), ChatLoss.NotLost,
            "pending", 1, Refused: false, Blocked: false, Delivered: false),
    ];

    [TestCaseSource(nameof(Cases))]
    public async Task AFailedSend_EndsAsItsKindRequires(Case @case)
    {
        await using var db = await TempDatabase.CreateMigratedAsync();
        var outbox = new OutboxStore(db.Database, TimeProvider.System);
        await db.Database.WriteAsync((c, t) => outbox.EnqueueAsync(c, t, Chat, new SendMessageRequest { ChatId = Chat, Text = "hello" }));
        var messenger = new Mock<IMessenger>();
        messenger.Setup(m => m.SendAsync("sendMessage", It.IsAny<string>(), It.IsAny<CancellationToken>())).ThrowsAsync(@case.Failure);
        var deliveries = new Mock<IDeliveryListener>();
        deliveries.Setup(d => d.ScopeOfOutcomeAsync(It.IsAny<IDbConnection>(), It.IsAny<IDbTransaction>(), It.IsAny<IReadOnlyList<OutboxItem>>()))
            .ReturnsAsync(AgencyBot.Core.Data.WriteScope.Of([Chat], []));
        deliveries.Setup(d => d.ChatLostAsync(It.IsAny<IDbConnection>(), It.IsAny<IDbTransaction>(), Chat, It.IsAny<string>(), It.IsAny<DateTimeOffset>()))
            .ReturnsAsync(@case.Loss);
        var staffChats = new StaffChatStore(Options.Create(new AgencyBot.Core.Agency.AgencyOptions()), TimeProvider.System);
        await using var lease = new SendingLease(db.Database, TimeProvider.System, NullLogger<SendingLease>.Instance);
        using var sender = new OutboxSender(outbox, messenger.Object,
            new StaffTopics(db.Database, staffChats, messenger.Object, TimeProvider.System, NullLogger<StaffTopics>.Instance),
            deliveries.Object, new SendLimits(new SendLimitOptions { Enabled = false }), new OutboxSignal(), new SendStatistics(), lease,
            db.Database, new ChatMigrations(staffChats, TimeProvider.System, NullLogger<ChatMigrations>.Instance),
            TimeProvider.System, NullLogger<OutboxSender>.Instance);

        await sender.StartAsync(CancellationToken.None);
        var row = await Eventually.HoldsAsync(
            async () => (await db.QueryAsync<(string State, long Attempts, string? LastError)>("SELECT state, attempts, last_error FROM outbox")).Single(),
            r => r.State != "pending" || r.LastError is not null, TimeSpan.FromSeconds(15), "the send tried once");
        await sender.StopAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(row.State, Is.EqualTo(@case.State));
            Assert.That(row.Attempts, Is.EqualTo(@case.Attempts), "attempts counted against the row (a delivery counts one)");
            deliveries.Verify(d => d.RefusedAsync(It.IsAny<IDbConnection>(), It.IsAny<IDbTransaction>(), It.IsAny<OutboxItem>(), It.IsAny<string>()),
                @case.Refused ? Times.Once() : Times.Never());
            deliveries.Verify(d => d.ChatBlockedAsync(It.IsAny<IDbConnection>(), It.IsAny<IDbTransaction>(), Chat),
                @case.Blocked ? Times.Once() : Times.Never());
            deliveries.Verify(d => d.DeliveredAsync(It.IsAny<IDbConnection>(), It.IsAny<IDbTransaction>(), It.IsAny<IReadOnlyList<OutboxItem>>(),
                It.IsAny<DateTimeOffset>()), @case.Delivered ? Times.Once() : Times.Never());
        });
    }
}

using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;
using Telegram.Bot.Requests.Abstractions;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Turns;

/// <summary>
/// One update being handled (or one admin action that acts like one): the transaction everything is written in, one
/// "now", the staff chat and the staff member acting (read once, before any handler runs), and the ways to answer.
/// Every answer is an outbox row in the same transaction, so it is sent if and only if the update's effects commit.
/// </summary>
public sealed class Turn
{
    private readonly OutboxStore _outbox;
    private readonly StaffNotices _notices;
    private readonly ILogger _logger;

    internal Turn(IDbConnection connection, IDbTransaction transaction, DateTimeOffset now, long? updateId, StaffChat? staffChat,
        StaffMember? member, OutboxStore outbox, StaffNotices notices, ILogger logger)
    {
        (Connection, Transaction, Now, UpdateId, StaffChat, Member) = (connection, transaction, now, updateId, staffChat, member);
        (_outbox, _notices, _logger) = (outbox, notices, logger);
    }

    public IDbConnection Connection { get; }

    public IDbTransaction Transaction { get; }

    public DateTimeOffset Now { get; }

    /// <summary>The update being handled; null for an admin action.</summary>
    public long? UpdateId { get; }

    /// <summary>The staff chat as known when the turn began, or as this turn learned it (topics switched on or off).</summary>
    public StaffChat? StaffChat { get; private set; }

    /// <summary>The active staff member who wrote the message or pressed the button; null for anyone else.</summary>
    public StaffMember? Member { get; }

    /// <summary>Stores take the connection and the transaction: <c>var (c, t) = turn;</c>.</summary>
    public void Deconstruct(out IDbConnection connection, out IDbTransaction transaction) => (connection, transaction) = (Connection, Transaction);

    /// <summary>What this turn learned about the staff chat; what it does next sees it.</summary>
    public void StaffChatIs(StaffChat chat) => StaffChat = chat;

    /// <summary>A text for a chat, in as many messages as Telegram's length limit needs.</summary>
    public Task SendAsync(long chatId, string text, int? threadId = null) => _outbox.EnqueueTextAsync(Connection, Transaction, chatId, text, threadId);

    /// <summary>Any Bot API request, queued.</summary>
    public Task<long> SendAsync<TResult>(long chatId, IRequest<TResult> request, OutboxLink? link = null) =>
        _outbox.EnqueueAsync(Connection, Transaction, chatId, request, link);

    /// <summary>Answers a message where it was written (same chat, same topic), as a reply to it.</summary>
    public Task ReplyAsync(Message to, string text) =>
        _outbox.EnqueueTextAsync(Connection, Transaction, to.Chat.Id, text, to.TopicOf(), new ReplyParameters { MessageId = to.Id, AllowSendingWithoutReply = true });

    /// <summary>Says something under a button in the chat it was pressed in (same topic), with buttons of its own if given.</summary>
    public Task SayUnderAsync(CallbackQuery query, string text, IEnumerable<InlineKeyboardButton>? buttons = null) =>
        _outbox.EnqueueAsync(Connection, Transaction, query.Message!.Chat.Id, new SendMessageRequest
        {
            ChatId = query.Message.Chat.Id, MessageThreadId = query.Message.TopicOf(), Text = text,
            ReplyMarkup = buttons is null ? null : new InlineKeyboardMarkup(buttons.Chunk(2)),
        });

    /// <summary>Answers a button press: the pop-up its presser sees (an alert if asked), or nothing.</summary>
    public Task AnswerButtonAsync(CallbackQuery query, string? text, bool alert = false) =>
        _outbox.AnswerButtonAsync(Connection, Transaction, query, text, alert);

    /// <summary>A press that is not obeyed: the presser hears whether the button expired (staff) or is not theirs.</summary>
    public Task RefusePressAsync(CallbackQuery query) => _outbox.RefusePressAsync(Connection, Transaction, query, byStaff: Member is not null);

    /// <summary>Tells every active manager privately; returns how many could be told.</summary>
    public Task<int> TellManagersAsync(string text) => StaffStore.TellManagersAsync(Connection, Transaction, _outbox, text);

    /// <summary>A notice from the bot into a project's topic (or the staff group). Without a staff chat there is nowhere
    /// to post it: that is logged.</summary>
    public Task NoticeAsync(long projectId, string text, int? replyTo = null, bool html = false, InlineKeyboardMarkup? buttons = null)
    {
        if (StaffChat is { } staff) return _notices.NoticeAsync(Connection, Transaction, staff, projectId, text, replyTo, html, buttons);
        _logger.LogWarning("No staff chat is set up: notice for project {ProjectId} not posted", projectId);
        return Task.CompletedTask;
    }
}

/// <summary>Begins turns: reads what every handler of an update may need, once.</summary>
public sealed class TurnFactory(StaffChatStore staffChats, OutboxStore outbox, StaffNotices notices, TimeProvider clock, ILogger<Turn> logger)
{
    public async Task<Turn> BeginAsync(IDbConnection connection, IDbTransaction transaction, Update? update = null)
    {
        var staffChat = await staffChats.GetAsync(connection, transaction);
        var author = update is null ? null : AuthorOf(update);
        var member = author is { IsBot: false } person ? await StaffStore.FindByTelegramUserAsync(connection, transaction, person.Id) : null;
        return new Turn(connection, transaction, clock.GetUtcNow(), update?.Id, staffChat, member, outbox, notices, logger);
    }

    private static User? AuthorOf(Update update) =>
        update.Message?.From ?? update.EditedMessage?.From ?? update.CallbackQuery?.From ?? update.InlineQuery?.From ?? update.MessageReaction?.User;
}

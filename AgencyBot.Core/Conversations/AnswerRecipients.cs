using AgencyBot.Core.Projects;

namespace AgencyBot.Core.Conversations;

/// <summary>What a staff message in a project's topic (or a reply to a relayed post) is about.</summary>
/// <param name="Carried">For a reply to a relayed post: the client messages that post carried.</param>
/// <param name="AnsweredChats">For a reply to a colleague's answer: the chats that answer went to.</param>
/// <param name="RepliesToTheBot">A reply to one of the bot's posts that names no client (a notice, or a relay not
/// recorded yet): it never goes by the staff member's last recipient.</param>
public sealed record AnswerTarget(long ProjectId, IReadOnlyList<ConversationMessage>? Carried, IReadOnlyList<long>? AnsweredChats = null,
    bool RepliesToTheBot = false)
{
    /// <summary>The conversation a command applies to: the replied-to post's (its latest message's), else none.</summary>
    public long? ConversationId => Carried is { Count: > 0 } carried ? carried[^1].ConversationId : null;
}

/// <summary>One client chat an answer goes to, and the client's message there that it answers (quoted), if any.</summary>
public sealed record Recipient(BoundChat Chat, int? Quote);

/// <summary>Where a staff answer goes: to these chats, nowhere (no chat can receive it), or ask the staff member.</summary>
public abstract record RecipientDecision
{
    public sealed record Send(IReadOnlyList<Recipient> To) : RecipientDecision;

    public sealed record Ask(IReadOnlyList<BoundChat> Options, bool OfferEveryone) : RecipientDecision;

    public sealed record Nobody(string Why) : RecipientDecision;
}

/// <summary>
/// Decides who a staff answer is for, so it reaches exactly them. A reply to a relayed post goes to the chat that
/// post's message came from; when the post carried several chats' messages (coalesced), to the chat of the line the
/// staff member quoted, else the bot asks. A message in the topic goes to the project's only client chat, or to the
/// chat this staff member answered (or chose) within <see cref="ConversationOptions.RecipientChoiceLasts"/>, else the bot
/// asks. /all addresses every chat on purpose. The answer to a question (a button) is given as <c>chosen</c>.
/// </summary>
public sealed class AnswerRecipients(IOptions<ConversationOptions> options)
{
    private const string SelectChoice = """
        SELECT chat_id AS ChatId, chosen_at AS ChosenAt FROM recipient_choices WHERE staff_id = @StaffId AND project_id = @ProjectId
        """;

    private const string UpsertChoice = """
        INSERT INTO recipient_choices (staff_id, project_id, chat_id, chosen_at) VALUES (@StaffId, @ProjectId, @ChatId, @Now)
        ON CONFLICT (staff_id, project_id) DO UPDATE SET chat_id = excluded.chat_id, chosen_at = excluded.chosen_at
        """;

    /// <summary>"Everyone" as a choice.</summary>
    public const long Everyone = 0;

    public async Task<RecipientDecision> DecideAsync(IDbConnection c, IDbTransaction t, Message answer, long staffId, AnswerTarget target,
        bool everyone, long? chosen, DateTimeOffset now)
    {
        var (projectId, carried) = (target.ProjectId, target.Carried);
        var chats = await ChatBindingStore.ReachableChatsOfProjectAsync(c, t, projectId);
        if (chats.Count == 0) return new RecipientDecision.Nobody("no client chat is linked to this project (or every linked chat blocked the bot)");
        if (everyone || chosen == Everyone) return new RecipientDecision.Send(chats.Select(chat => new Recipient(chat, null)).ToList());
        if (chosen is { } one)
            return chats.FirstOrDefault(chat => chat.ChatId == one) is { } picked
                ? new RecipientDecision.Send([new Recipient(picked, QuoteIn(carried, one))])
                : new RecipientDecision.Nobody("that chat is no longer linked to this project");

        if (carried is { Count: > 0 })
        {
            var from = carried.Where(m => m.Direction == "client").Select(m => m.ChatId).Distinct()
                .Select(id => chats.FirstOrDefault(chat => chat.ChatId == id)).OfType<BoundChat>().ToList();
            if (from.Count == 0) return new RecipientDecision.Nobody("the chat that message came from is no longer linked (or blocked the bot)");
            if (from.Count == 1) return new RecipientDecision.Send([new Recipient(from[0], QuoteIn(carried, from[0].ChatId))]);
            // A post carrying several chats' messages: the quoted line says whose.
            var quoted = answer.Quote?.Text is { Length: > 0 } quote
                ? carried.Where(m => m.Text?.Contains(quote.Trim(), StringComparison.Ordinal) == true).Select(m => m.ChatId).Distinct().ToList()
                : [];
            return quoted.Count == 1 && from.FirstOrDefault(chat => chat.ChatId == quoted[0]) is { } byQuote
                ? new RecipientDecision.Send([new Recipient(byQuote, QuoteIn(carried, byQuote.ChatId))])
                : new RecipientDecision.Ask(from, OfferEveryone: false);
        }

        if (target.AnsweredChats is { Count: > 0 } answered)
        {
            // A reply to a colleague's answer goes where that answer went.
            var same = chats.Where(chat => answered.Contains(chat.ChatId)).ToList();
            if (same.Count > 0) return new RecipientDecision.Send(same.Select(chat => new Recipient(chat, null)).ToList());
        }
        if (chats.Count == 1) return new RecipientDecision.Send([new Recipient(chats[0], null)]);
        if (!target.RepliesToTheBot && await RememberedAsync(c, t, staffId, projectId, now) is { } remembered)
        {
            if (remembered == Everyone) return new RecipientDecision.Send(chats.Select(chat => new Recipient(chat, null)).ToList());
            if (chats.FirstOrDefault(chat => chat.ChatId == remembered) is { } last) return new RecipientDecision.Send([new Recipient(last, null)]);
        }
        return new RecipientDecision.Ask(chats, OfferEveryone: true);
    }

    /// <summary>The chat (or <see cref="Everyone"/>) this staff member's answers in the project's topic went to last,
    /// if recently enough.</summary>
    public async Task<long?> RememberedAsync(IDbConnection c, IDbTransaction t, long staffId, long projectId, DateTimeOffset now)
    {
        var choice = await c.QuerySingleOrDefaultAsync<(long? ChatId, long ChosenAt)?>(SelectChoice, new { StaffId = staffId, ProjectId = projectId }, t);
        return choice is { } made && now - DateTimeOffset.FromUnixTimeMilliseconds(made.ChosenAt) < options.Value.RecipientChoiceLasts
            ? made.ChatId ?? Everyone
            : null;
    }

    /// <summary>Where this staff member's answer in the topic went; their next ones follow for a while.</summary>
    private const string MoveChat = "UPDATE recipient_choices SET chat_id = @To WHERE chat_id = @From";

    /// <summary>A group became a supergroup: answers remembered as going to it go to its new id.</summary>
    public static Task MoveChatAsync(IDbConnection c, IDbTransaction t, long from, long to) => c.ExecuteAsync(MoveChat, new { From = from, To = to }, t);

    public static Task RememberAsync(IDbConnection c, IDbTransaction t, long staffId, long projectId, long? chatId, DateTimeOffset now) =>
        c.ExecuteAsync(UpsertChoice, new { StaffId = staffId, ProjectId = projectId, ChatId = chatId, Now = now.ToUnixTimeMilliseconds() }, t);

    /// <summary>The latest client message of that chat among those the replied-to post carried.</summary>
    private static int? QuoteIn(IReadOnlyList<ConversationMessage>? carried, long chatId) =>
        carried?.Where(m => m.Direction == "client" && m.ChatId == chatId).Select(m => (int?)m.TelegramMessageId).LastOrDefault();
}

using AgencyBot.Core.Agency;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Projects;
using AgencyBot.Core.SavedAnswers;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Core.Turns;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Updates;

/// <summary>
/// A staff member's answer on its way to the clients it is for. An internal note (// …, decided once for a whole album)
/// is recorded and never sent. Otherwise <see cref="AnswerRecipients"/> says who it is for; when that cannot be told the
/// answer waits (held, exactly as sent) and the bot asks in the topic, one button per chat. Where an answer went is
/// shown in the topic whenever the project has several chats and it went somewhere new ("→ Anna").
/// </summary>
public sealed class StaffAnswers(
    AnswerRecipients recipients,
    ClientRelay clientRelay,
    AnswerEdits edits,
    BusinessCalendar calendar,
    BotUser botUser,
    ILogger<StaffAnswers> logger)
{
    /// <summary>Callback data of the "who is this for?" buttons: "to:&lt;held id&gt;:&lt;chat id, or 0 for everyone&gt;".</summary>
    public const string Prefix = "to:";

    /// <summary>Callback data of the out-of-hours choice: "op:&lt;open|now&gt;:&lt;staff message id&gt;".</summary>
    public const string OpeningPrefix = "op:";

    /// <summary>How long an answer written outside business hours waits for the choice of sending it at opening.</summary>
    public static readonly TimeSpan OpeningChoice = TimeSpan.FromMinutes(1);

    /// <summary>When the agency keeps hours and they are over, a plain answer (not an album, not /all) is offered to wait for opening.</summary>
    private bool OutOfHours(Turn turn, Message message) => !calendar.AlwaysOpen && !calendar.IsOpen(turn.Now) && message.MediaGroupId is null;

    /// <summary>What an out-of-hours button says ("op:open|now:&lt;the answer's message in the staff chat&gt;"), or null.</summary>
    public static (bool AtOpening, long StaffMessage)? ParseOpeningChoice(string data) =>
        data[OpeningPrefix.Length..].Split(':') is [var when and ("open" or "now"), var message]
        && long.TryParse(message, NumberStyles.None, CultureInfo.InvariantCulture, out var staffMessage)
            ? (when == "open", staffMessage)
            : null;

    /// <summary>The records of a staff answer, one per client chat it goes to: what an out-of-hours button moves (the
    /// write scope reads them here too).</summary>
    public static async Task<IReadOnlyList<ConversationMessage>> CopiesOfAnswerAsync(IDbConnection c, IDbTransaction t, long staffChat, long staffMessage) =>
        (await ConversationStore.AnswersOfAsync(c, t, staffChat, staffMessage)).Where(m => m.Direction == "staff").ToList();

    /// <summary>The out-of-hours choice: the answer goes at opening, or now. Only while it has not gone yet.</summary>
    public async Task HandleOpeningChoiceAsync(Turn turn, CallbackQuery query)
    {
        var (c, t) = turn;
        if (turn.Member is null || turn.StaffChat is not { } staff || query.Message?.Chat.Id != staff.ChatId
            || ParseOpeningChoice(query.Data!) is not var (atOpening, staffMessage))
        {
            await turn.RefusePressAsync(query);
            return;
        }
        var answer = (await CopiesOfAnswerAsync(c, t, staff.ChatId, staffMessage)).Select(m => m.Id).ToList();
        var at = atOpening ? calendar.NextOpening(turn.Now) : turn.Now;
        if (await Outbox.OutboxStore.RescheduleAsync(c, t, answer, at) == 0)
        {
            logger.LogInformation("Staff {StaffId}: answer {MessageId} ({Records} records) had nothing left to move at {Now:O}; told it has gone",
                turn.Member.Id, staffMessage, answer.Count, turn.Now);
            await turn.AnswerButtonAsync(query, "Too late: it has gone already.");
            return;
        }
        logger.LogInformation("Staff {StaffId}: answer {MessageId} goes {When}", turn.Member.Id, staffMessage, atOpening ? $"at opening, {at:O}" : "now");
        await turn.AnswerButtonAsync(query, atOpening ? $"It goes at opening, {calendar.ToLocal(at).ToString("ddd d MMM HH:mm", CultureInfo.InvariantCulture)}." : "It goes now.");
    }

    public async Task HandleAsync(Turn turn, Message message, AnswerTarget target, FormattedText? everyone = null)
    {
        var (c, t) = turn;
        var (staff, member, now, updateId) = (turn.StaffChat!, turn.Member!, turn.Now, turn.UpdateId!.Value);
        if (everyone is null && await IsNoteAsync(turn, message, target)) return;

        // An album goes where its first part went, or waits with it.
        if (message.MediaGroupId is { } album && everyone is null)
        {
            if ((await HeldMessages.OpenOfAlbumAsync(c, t, staff.ChatId, album, HoldReason.Recipient)).Count > 0)
            {
                await HeldMessages.HoldAsync(c, t, HoldReason.Recipient, staff.ChatId, message.Id, updateId, album, member.Id, target.ProjectId, now);
                return;
            }
            var sentTo = (await ConversationStore.AlbumPartsAsync(c, t, staff.ChatId, album)).Where(p => p.Direction == "staff").Select(p => p.ChatId).Distinct().ToList();
            if (sentTo.Count > 0)
            {
                var chats = await ChatBindingStore.ReachableChatsOfProjectAsync(c, t, target.ProjectId);
                await SendAsync(turn, message, member, target.ProjectId, chats.Where(chat => sentTo.Contains(chat.ChatId)).Select(chat => new Recipient(chat, null)).ToList(),
                    null);
                return;
            }
        }

        switch (await recipients.DecideAsync(c, t, message, member.Id, target, everyone is not null, null, now))
        {
            case RecipientDecision.Send send when everyone is null && IsInlineSavedAnswer(message):
                // A saved answer picked with inline mode: its {name} and {project} are each client's.
                await SendSavedAsync(turn, message, target, new SavedAnswer("inline", new Dictionary<string, string> { ["en"] = message.Text! }), "", send);
                break;
            case RecipientDecision.Send send when OutOfHours(turn, message):
                // Outside business hours it waits a minute, for the choice of sending it at opening instead.
                await SendAsync(turn, message, member, target.ProjectId, send.To, everyone, later: OpeningChoice);
                var opens = calendar.NextOpening(now);
                await turn.NoticeAsync(target.ProjectId, $"🌙 Outside business hours: this goes to {string.Join(", ", send.To.Select(r => Label(r.Chat)))} in a minute.", message.Id,
                    buttons: new InlineKeyboardMarkup([[
                        InlineKeyboardButton.WithCallbackData($"🕘 At opening ({calendar.ToLocal(opens).ToString("ddd HH:mm", CultureInfo.InvariantCulture)})", $"{OpeningPrefix}open:{message.Id}"),
                        InlineKeyboardButton.WithCallbackData("Send now", $"{OpeningPrefix}now:{message.Id}")]]));
                break;
            case RecipientDecision.Send send:
                await SendAsync(turn, message, member, target.ProjectId, send.To, everyone);
                break;
            case RecipientDecision.Ask ask:
                var held = await HeldMessages.HoldAsync(c, t, HoldReason.Recipient, staff.ChatId, message.Id, updateId, message.MediaGroupId, member.Id,
                    target.ProjectId, now);
                logger.LogInformation("Staff {StaffId}: answer {MessageId} waits until they say which of {Count} chats it is for", member.Id, message.Id, ask.Options.Count);
                var buttons = ask.Options.Select(chat => InlineKeyboardButton.WithCallbackData(Distinct(chat, ask.Options), $"{Prefix}{held}:{chat.ChatId}")).ToList();
                if (ask.OfferEveryone) buttons.Add(InlineKeyboardButton.WithCallbackData("Everyone", $"{Prefix}{held}:{AnswerRecipients.Everyone}"));
                await turn.NoticeAsync(target.ProjectId, "Who is this answer for? It waits here until you say.", message.Id,
                    buttons: new InlineKeyboardMarkup(buttons.Chunk(2)));
                break;
            case RecipientDecision.Nobody nobody:
                await turn.NoticeAsync(target.ProjectId, $"⚠️ Not sent: {nobody.Why}. Create an invite with POST /api/projects/{{id}}/invites.",
                    message.Id);
                break;
        }
    }

    /// <summary>
    /// /later &lt;when&gt; &lt;text&gt;: the answer is recorded now and sent at that moment through the outbox (so a restart
    /// keeps it), as the agency. The client's wait stays open until it goes (it is the answer), without reminders
    /// meanwhile (as /ack). /unsend as a reply to the /later message takes it back before it goes.
    /// </summary>
    public async Task LaterAsync(Turn turn, Message message, AnswerTarget target, Command command)
    {
        var (c, t) = turn;
        var (member, now) = (turn.Member!, turn.Now);
        var when = SendTimes.Parse(command.Args, now, calendar);
        var text = MessageContent.FormattedOf(message)!.AfterFirstWord();
        for (var i = 0; i < (when?.Words ?? 0); i++) text = text.AfterFirstWord();
        if (when is not { At: var at } || text.Text.Trim().Length == 0 || message.MediaGroupId is not null)
        {
            await turn.ReplyAsync(message, $"{BotCommands.Usage("later")}\nNothing was scheduled.");
            return;
        }
        if (at <= now + TimeSpan.FromMinutes(1) || at > now + SendTimes.Furthest)
        {
            await turn.ReplyAsync(message, $"A scheduled answer goes between a minute and {SendTimes.Furthest.TotalDays:0} days from now; " +
                $"{calendar.ToLocal(at):ddd d MMM HH:mm} is not. Nothing was scheduled.");
            return;
        }
        switch (await recipients.DecideAsync(c, t, message, member.Id, target, false, null, now))
        {
            case RecipientDecision.Send send:
                await SendAsync(turn, message, member, target.ProjectId, send.To, text, shown: true, later: at - now);
                foreach (var recipient in send.To)
                    await ConversationStore.AckAsync(c, t, (await ConversationStore.GetOrCreateAsync(c, t, target.ProjectId, recipient.Chat.ChatId, now)).Id, member.Id, now);
                logger.LogInformation("Staff {StaffId} scheduled an answer for {At} to {Count} chat(s) of project {ProjectId}", member.Id, at, send.To.Count, target.ProjectId);
                var zone = BusinessCalendar.CityOf(calendar.Zone);
                await turn.NoticeAsync(target.ProjectId, $"🕘 Scheduled for {calendar.ToLocal(at).ToString("ddd d MMM HH:mm", CultureInfo.InvariantCulture)} ({zone} time) " +
                    $"to {string.Join(", ", send.To.Select(r => Label(r.Chat)))}. /unsend as a reply to your /later message cancels it.", message.Id);
                break;
            case RecipientDecision.Ask:
                await turn.ReplyAsync(message, "This project has several chats: answer /later as a reply to the client's message it is for. Nothing was scheduled.");
                break;
            case RecipientDecision.Nobody nobody:
                await turn.NoticeAsync(target.ProjectId, $"⚠️ Not scheduled: {nobody.Why}.", message.Id);
                break;
        }
    }

    /// <summary>/r &lt;shortcut&gt;: the saved answer to the chats an answer here would go to, each in its own language with
    /// its placeholders filled. Where that cannot be told, the staff member is asked to reply to the client's message.</summary>
    public async Task SendSavedAsync(Turn turn, Message message, AnswerTarget target, SavedAnswer saved, string agencyName, RecipientDecision? decided = null)
    {
        var (c, t) = turn;
        var (member, now) = (turn.Member!, turn.Now);
        switch (decided ?? await recipients.DecideAsync(c, t, message, member.Id, target, false, null, now))
        {
            case RecipientDecision.Send send:
                var settings = await ProjectStore.SettingsAsync(c, t, target.ProjectId);
                foreach (var recipient in send.To)
                {
                    var chat = await Clients.ClientChatStore.FindAsync(c, t, recipient.Chat.ChatId);
                    var name = recipient.Chat.Kind == "private" ? recipient.Chat.Title.Split(' ')[0] : recipient.Chat.Title;
                    var text = SavedAnswerText.Render(saved, SavedAnswerText.LanguageOf(settings?.Language, chat),
                        new Placeholders(name, settings?.Name ?? "", agencyName, member.FirstName));
                    await SendAsync(turn, message, member, target.ProjectId, [recipient], FormattedText.Plain(text), shown: send.To.Count > 1);
                }
                logger.LogInformation("Staff {StaffId} sent the saved answer {Shortcut} to {Count} chat(s)", member.Id, saved.Shortcut, send.To.Count);
                break;
            case RecipientDecision.Ask:
                await turn.ReplyAsync(message, $"This project has several chats: answer /r {saved.Shortcut} as a reply to the client's message it is for. Nothing was sent.");
                break;
            case RecipientDecision.Nobody nobody:
                await turn.NoticeAsync(target.ProjectId, $"⚠️ Not sent: {nobody.Why}.", message.Id);
                break;
        }
    }

    /// <summary>What a "who is this for?" button says ("to:&lt;held answer&gt;:&lt;chat&gt;"), or null when it says neither.</summary>
    public static (long HeldId, long Chosen)? ParseChoice(string data) =>
        data[Prefix.Length..].Split(':') is [var held, var chat]
        && long.TryParse(held, NumberStyles.None, CultureInfo.InvariantCulture, out var heldId)
        && long.TryParse(chat, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chosen)
            ? (heldId, chosen)
            : null;

    /// <summary>The answer a "who is this for?" button is about, while it still waits for that choice (its project is
    /// where it goes; the write scope reads it here too).</summary>
    public static async Task<HeldMessage?> HeldForChoiceAsync(IDbConnection c, IDbTransaction t, long heldId) =>
        await HeldMessages.FindOpenAsync(c, t, heldId) is { Reason: "recipient" } held ? held : null;

    /// <summary>A "who is this for?" button: the held answer (with the rest of its album) goes to the chat chosen.</summary>
    public async Task HandleChoiceAsync(Turn turn, CallbackQuery query)
    {
        Task AnswerAsync(string text) => turn.AnswerButtonAsync(query, text);

        var (c, t) = turn;
        var (staff, member, now) = (turn.StaffChat, turn.Member, turn.Now);
        if (member is null || staff is null || query.Message?.Chat.Id != staff.ChatId || ParseChoice(query.Data!) is not var (heldId, chosen))
        {
            logger.LogWarning("Refused recipient button {Data} from {UserId}", query.Data, query.From.Id);
            await turn.RefusePressAsync(query);
            return;
        }
        if (await HeldForChoiceAsync(c, t, heldId) is not { ProjectId: { } projectId, StaffId: { } staffId } held)
        {
            await AnswerAsync("Already decided: this answer was sent.");
            return;
        }
        // The chosen group may have become a supergroup (a new id) since the bot asked.
        if (chosen != AnswerRecipients.Everyone) chosen = await StaffChatStore.CurrentIdAsync(c, t, chosen);
        var album = held.MediaGroupId is { } group ? await HeldMessages.OpenOfAlbumAsync(c, t, staff.ChatId, group, HoldReason.Recipient) : [held];
        if (await StaffStore.FindAsync(c, t, staffId) is not { Active: true } author)
        {
            // Written by someone who has left since: it does not go out under their name.
            foreach (var part in album) await HeldMessages.ReleaseAsync(c, t, part.Id, "author left", now);
            await AnswerAsync("Not sent: whoever wrote this answer is no longer on staff.");
            return;
        }
        var waiting = new List<(HeldMessage Part, Message Message, IReadOnlyList<ConversationMessage>? Carried)>();
        foreach (var part in album)
        {
            if (await HeldMessages.MessageOfAsync(c, t, part) is not { } message)
            {
                logger.LogError("Held answer {HeldId} has no stored update {UpdateId}; it cannot be sent", part.Id, part.UpdateId);
                await HeldMessages.ReleaseAsync(c, t, part.Id, "lost", now);
                continue;
            }
            var carried = message.ReplyToMessage is { } post ? await ConversationStore.CarriedByPostAsync(c, t, staff.ChatId, post.Id) : null;
            waiting.Add((part, message, carried));
        }
        // Edited while it waited: what says // now is a note (the whole album with it), what reads as a command is no answer.
        if (waiting.Any(w => SaysNote(w.Message)))
        {
            foreach (var (part, message, carried) in waiting)
                if (await HeldMessages.ReleaseAsync(c, t, part.Id, "note", now))
                    await RecordNoteAsync(turn, message, new AnswerTarget(projectId, carried));
            await AnswerAsync("Not sent: it was edited into an internal note, and is recorded as one.");
            return;
        }
        string? sentTo = null;
        foreach (var (part, message, carried) in waiting)
        {
            if (Command.Parse(message.Text) is not null)
            {
                await HeldMessages.ReleaseAsync(c, t, part.Id, "command", now);
                continue;
            }
            switch (await recipients.DecideAsync(c, t, message, author.Id, new AnswerTarget(projectId, carried), false, chosen, now))
            {
                case RecipientDecision.Send send:
                    await HeldMessages.ReleaseAsync(c, t, part.Id, "sent", now);
                    await SendAsync(turn, message, author, projectId, send.To, null, shown: true);
                    sentTo = chosen == AnswerRecipients.Everyone ? "everyone" : Label(send.To[0].Chat);
                    break;
                case RecipientDecision.Nobody nobody:
                    await AnswerAsync($"Not sent: {nobody.Why}.");
                    return;
            }
        }
        logger.LogInformation("Staff {StaffId}: held answer {HeldId} sent to {Chat} (chosen by {ChooserId})", author.Id, heldId, chosen, member.Id);
        await AnswerAsync(sentTo is null ? "Nothing was sent." : $"Sent to {sentTo}.");
    }

    /// <summary>Records the answer on each recipient's conversation and queues it to them; says in the topic where it
    /// went when the project has several chats and this is not where this staff member's last answer went.</summary>
    private async Task SendAsync(Turn turn, Message message, StaffMember member, long projectId, IReadOnlyList<Recipient> to, FormattedText? text,
        bool shown = false, TimeSpan? later = null)
    {
        var (c, t) = turn;
        var now = turn.Now;
        if (to.Count == 0) return;
        var reachable = await ChatBindingStore.ReachableChatsOfProjectAsync(c, t, projectId);
        var destination = to.Count == reachable.Count && to.Count > 1 ? (long?)null : to[0].Chat.ChatId;
        var previous = await recipients.RememberedAsync(c, t, member.Id, projectId, now);
        foreach (var recipient in to)
        {
            var conversation = await ConversationStore.GetOrCreateAsync(c, t, projectId, recipient.Chat.ChatId, now);
            var record = NewMessage.Of(conversation.Id, Direction.Staff, message, now);
            var messageId = await ConversationStore.AddMessageAsync(c, t, text is null ? record : record with { Text = text.Text });
            // The waiting period closes when Telegram accepts the answer (see Deliveries), not now.
            await clientRelay.RelayAsync(c, t, new Answer(message, member.Id, text, recipient.Quote, later), recipient.Chat.ChatId, messageId);
        }
        if (reachable.Count <= 1) return;
        await AnswerRecipients.RememberAsync(c, t, member.Id, projectId, destination, now);
        var where = destination is null ? AnswerRecipients.Everyone : destination.Value;
        if (!shown && previous != where)
            await turn.NoticeAsync(projectId, destination is null ? "→ everyone" : $"→ {Label(to[0].Chat)}", message.Id);
    }

    /// <summary>
    /// An internal note is recorded on the project's conversation and never sent. An album is one decision: once any
    /// part says // the whole album is a note, what is still queued of it is cancelled, and the topic is told if some of
    /// it had gone out already.
    /// </summary>
    private async Task<bool> IsNoteAsync(Turn turn, Message message, AnswerTarget target)
    {
        var (c, t) = turn;
        var (staff, now) = (turn.StaffChat!, turn.Now);
        var says = SaysNote(message);
        IReadOnlyList<(string Direction, long ChatId)> parts = [];
        if (message.MediaGroupId is { } album)
        {
            parts = await ConversationStore.AlbumPartsAsync(c, t, staff.ChatId, album);
            var held = await HeldMessages.OpenOfAlbumAsync(c, t, staff.ChatId, album, HoldReason.Recipient);
            if (!says && !parts.Any(p => p.Direction == "note")) return false;
            foreach (var part in held)
                if (await HeldMessages.ReleaseAsync(c, t, part.Id, "note", now) && await HeldMessages.MessageOfAsync(c, t, part) is { } earlier)
                    await RecordNoteAsync(turn, earlier, target);
            if (parts.Any(p => p.Direction == "staff"))
            {
                // Its earlier parts went out as an answer: they are taken back (never sent, or deleted once Telegram has them).
                var reached = false;
                foreach (var (id, _) in await ConversationStore.AlbumAnswersAsync(c, t, staff.ChatId, album))
                {
                    if ((await ConversationStore.PostsOfAsync(c, t, id, await edits.TakeBackAsync(c, t, id, "the album is an internal note", now))).Count > 0)
                        reached = true;
                }
                logger.LogWarning("Staff album {MediaGroupId} became an internal note after parts were queued; they are taken back", album);
                await turn.NoticeAsync(target.ProjectId, reached
                    ? "⚠️ This album is an internal note, but its first parts had already reached the client: they were taken back from the chat."
                    : "📝 This album is an internal note: nothing of it stays with the client.", message.Id);
            }
        }
        else if (!says) return false;
        await RecordNoteAsync(turn, message, target);
        return true;
    }

    /// <summary>Sent with inline mode through this bot, as text with placeholders in it.</summary>
    private bool IsInlineSavedAnswer(Message message) =>
        message.ViaBot is { } via && botUser.Username is { } me && string.Equals(via.Username, me, StringComparison.OrdinalIgnoreCase)
        && message.Text is { } text && SavedAnswerText.Known.Any(p => text.Contains($"{{{p}}}", StringComparison.Ordinal));

    private static bool SaysNote(Message message) => InternalNote.Says(MessageContent.TextOf(message));

    private static async Task RecordNoteAsync(Turn turn, Message message, AnswerTarget target)
    {
        var (c, t) = turn;
        var noteOn = target.ConversationId ?? (await ConversationStore.LatestOfProjectAsync(c, t, target.ProjectId))?.Id;
        if (noteOn is { } id)
            await ConversationStore.AddMessageAsync(c, t, NewMessage.Of(id, Direction.Note, message, turn.Now));
        else
            await turn.NoticeAsync(target.ProjectId, "📝 Not recorded: this project has no conversation yet.", message.Id);
    }

    /// <summary>A chat's label, told apart from the others' (two clients both called Anna) by the end of its id.</summary>
    private static string Distinct(BoundChat chat, IReadOnlyList<BoundChat> all) =>
        all.Count(other => Label(other) == Label(chat)) > 1 ? $"{Label(chat)} …{Math.Abs(chat.ChatId) % 10_000:0000}" : Label(chat);

    private static string Label(BoundChat chat) =>
        chat.Kind == "group" ? $"{(chat.Title.Length > 0 ? chat.Title : "group")} (group)" : chat.Title.Length > 0 ? chat.Title : $"chat {chat.ChatId}";
}

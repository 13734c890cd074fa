using AgencyBot.Core.Agency;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Onboarding;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.Turns;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Updates;

/// <summary>
/// /newproject and /newclient: short guided dialogs, in the staff chat or privately. Choices are buttons; names and
/// dates are the person's next message in the same chat and topic (never relayed to a client). /newproject creates the
/// project, its team-less tasks from the template, and posts the invitation (text and QR code) in its new topic.
/// Callback data is "np:&lt;step&gt;:&lt;value&gt;"; only the person in the dialog can press, and every step is stored,
/// so a restart in the middle loses nothing.
/// </summary>
public sealed class ProjectDialog(ProjectSetup setup, OutboxStore outbox, BotUser botUser, TaskWork work, IOptions<AgencyOptions> agency,
    ILogger<ProjectDialog> logger)
{
    public const string Prefix = "np:";

    private const string ProjectKind = "project", ClientKind = "client";

    /// <summary>Who may create clients and projects: managers and assistants (the PM assistant's job).</summary>
    private static bool MayCreate(StaffMember member) => member.Role is StaffRole.Manager or StaffRole.Assistant;

    public async Task StartProjectAsync(Turn turn, Message message)
    {
        if (await AllowedAsync(turn, message)) await BeginProjectAsync(turn, message.Chat.Id, message.From!.Id, message.TopicOf(), null);
    }

    private async Task BeginProjectAsync(Turn turn, long chatId, long userId, int? threadId, long? clientId)
    {
        var dialog = new Dialog(chatId, userId, ProjectKind, clientId is null ? "client" : "name", new DialogAnswers { ClientId = clientId }, threadId, turn.Now);
        await DialogStore.SaveAsync(turn.Connection, turn.Transaction, dialog);
        await AskAsync(turn, dialog);
    }

    public async Task StartClientAsync(Turn turn, Message message, string name)
    {
        if (!await AllowedAsync(turn, message)) return;
        name = name.Trim();
        var answers = new DialogAnswers { ClientName = name.Length is > 0 and <= 100 ? name : null };
        var dialog = new Dialog(message.Chat.Id, message.From!.Id, ClientKind, answers.ClientName is null ? "client_name" : "language", answers,
            message.TopicOf(), turn.Now);
        await DialogStore.SaveAsync(turn.Connection, turn.Transaction, dialog);
        await AskAsync(turn, dialog);
    }

    /// <summary>The person's next message while a dialog waits for a name or a date: true when it was that answer.</summary>
    public async Task<bool> AnswerAsync(Turn turn, Message message)
    {
        if (turn.Member is null || message.From is null || message.Text is not { } text) return false;
        var (c, t) = turn;
        if (await DialogStore.FindAsync(c, t, message.Chat.Id, message.From.Id, turn.Now) is not { } dialog || dialog.ThreadId != message.TopicOf())
            return false;
        if (text.Trim() == "/cancel")
        {
            await DialogStore.EndAsync(c, t, dialog.ChatId, dialog.UserId);
            await turn.ReplyAsync(message, "Cancelled: nothing was created.");
            return true;
        }
        if (botUser.ParseCommand(text) is not null) return false; // another command: it is obeyed, the dialog waits
        // A step answered with buttons takes no text: what they write meanwhile is an ordinary message (an answer to a
        // client in a topic, say), never swallowed by the dialog.
        if (dialog.Step is not ("client_name" or "name" or "start" or "contact")) return false;
        text = text.Trim();
        var answers = dialog.Answers;
        switch (dialog.Step)
        {
            case "client_name" when text.Length is > 0 and <= 100:
                dialog = dialog with { Answers = answers with { ClientName = text }, Step = dialog.Kind == ProjectKind ? "name" : "language" };
                break;
            case "name" when text.Length is > 0 and <= 100:
                dialog = dialog with { Answers = answers with { Name = text }, Step = "template" };
                break;
            case "start" when DueDates.Parse(text, agency.Value.DateOf(turn.Now), work.WorkingDays) is { } start:
                dialog = dialog with { Answers = answers with { StartOn = start }, Step = "language" };
                break;
            case "contact":
                dialog = dialog with { Answers = answers with { Contact = text.Length <= 100 ? text : text[..100] } };
                await FinishClientAsync(turn, dialog);
                return true;
            case "client_name" or "name":
                await turn.ReplyAsync(message, "A name of 1 to 100 characters, please (or /cancel).");
                return true;
            case "start":
                await turn.ReplyAsync(message, "I could not read that date. Try 2026-12-15, 15.12, tomorrow or +3 (working days), or /cancel.");
                return true;
            default:
                return false;
        }
        dialog = dialog with { UpdatedAt = turn.Now };
        await DialogStore.SaveAsync(c, t, dialog);
        await AskAsync(turn, dialog);
        return true;
    }

    public async Task HandleButtonAsync(Turn turn, CallbackQuery query)
    {
        var (c, t) = turn;
        var parts = query.Data![Prefix.Length..].Split(':', 2);
        var chatId = query.Message?.Chat.Id;
        if (turn.Member is null || chatId is null || parts.Length != 2)
        {
            await turn.RefusePressAsync(query);
            return;
        }
        if (parts[0] == "forclient" && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var forClient))
        {
            var allowed = MayCreate(turn.Member);
            await turn.AnswerButtonAsync(query, allowed ? null : "Only managers and assistants create clients and projects.");
            if (allowed) await BeginProjectAsync(turn, chatId.Value, query.From.Id, query.Message!.TopicOf(), forClient);
            return;
        }
        if (await DialogStore.FindAsync(c, t, chatId.Value, query.From.Id, turn.Now) is not { } dialog)
        {
            await turn.AnswerButtonAsync(query, "This dialog is over (or someone else's). Start one with /newproject or /newclient.");
            return;
        }
        var (step, value) = (parts[0], parts[1]);
        var answers = dialog.Answers;
        switch (step)
        {
            case "x":
                await DialogStore.EndAsync(c, t, dialog.ChatId, dialog.UserId);
                await turn.AnswerButtonAsync(query, "Cancelled");
                await turn.SayUnderAsync(query, "Cancelled: nothing was created.");
                return;
            case "c" when dialog.Step == "client" && value == "new":
                dialog = dialog with { Step = "client_name" };
                break;
            case "c" when dialog.Step == "client" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var clientId)
                && await ClientStore.FindAsync(c, t, clientId) is { ArchivedAt: null }:
                dialog = dialog with { Answers = answers with { ClientId = clientId }, Step = "name" };
                break;
            case "t" when dialog.Step == "template" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var templateId):
                dialog = dialog with { Answers = answers with { TemplateId = templateId == 0 ? null : templateId, TemplateChosen = true }, Step = "start" };
                break;
            case "s" when dialog.Step == "start" && DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start):
                dialog = dialog with { Answers = answers with { StartOn = start }, Step = "language" };
                break;
            case "l" when dialog.Step == "language" && ProjectSetup.Languages.Contains(value):
                dialog = dialog with { Answers = answers with { Language = value } };
                if (dialog.Kind == ProjectKind)
                {
                    await turn.AnswerButtonAsync(query, null);
                    await FinishProjectAsync(turn, dialog, query);
                    return;
                }
                dialog = dialog with { Step = "contact" };
                break;
            case "k" when dialog.Step == "contact":
                await turn.AnswerButtonAsync(query, null);
                await FinishClientAsync(turn, dialog);
                return;
            default:
                await turn.AnswerButtonAsync(query, "That step is behind us: use the latest question's buttons.");
                return;
        }
        await turn.AnswerButtonAsync(query, null);
        dialog = dialog with { UpdatedAt = turn.Now };
        await DialogStore.SaveAsync(c, t, dialog);
        await AskAsync(turn, dialog);
    }

    private async Task<bool> AllowedAsync(Turn turn, Message message)
    {
        if (MayCreate(turn.Member!)) return true;
        await turn.ReplyAsync(message, "Only managers and assistants create clients and projects.");
        return false;
    }

    /// <summary>The question of the dialog's step, with its buttons, where the dialog runs.</summary>
    private async Task AskAsync(Turn turn, Dialog dialog)
    {
        var (c, t) = turn;
        var cancel = InlineKeyboardButton.WithCallbackData("✖ Cancel", $"{Prefix}x:0");
        var project = dialog.Kind == ProjectKind;
        (string Text, IEnumerable<InlineKeyboardButton> Buttons) question = dialog.Step switch
        {
            "client" => ("New project (1/5): for which client?",
                [.. (await ClientStore.RecentAsync(c, t, 8)).Select(cl => InlineKeyboardButton.WithCallbackData(Clip(cl.Name), $"{Prefix}c:{cl.Id}")),
                    InlineKeyboardButton.WithCallbackData("➕ New client", $"{Prefix}c:new"), cancel]),
            "client_name" => (project ? "New project (1/5): reply with the new client's name." : "New client (1/3): reply with the client's name.", [cancel]),
            "name" => ($"New project (2/5) for {await ClientNameAsync(turn, dialog)}: reply with the project's name.", [cancel]),
            "template" => ("New project (3/5): which template? Its tasks are created at once.",
                [.. (await TemplateStore.ListAsync(c, t)).Take(8).Select(tp => InlineKeyboardButton.WithCallbackData(Clip(tp.Body.Name ?? $"Template {tp.Id}"), $"{Prefix}t:{tp.Id}")),
                    InlineKeyboardButton.WithCallbackData("No template", $"{Prefix}t:0"), cancel]),
            "start" => ("New project (4/5): when does it start? Tap, or reply with a date (15.12, 2026-12-15, +3).", StartButtons(turn, cancel)),
            "language" => (project ? "New project (5/5): the client's language (their invitation and every bot message)?" : "New client (2/3): their language?",
                [InlineKeyboardButton.WithCallbackData("English", $"{Prefix}l:en"), InlineKeyboardButton.WithCallbackData("Français", $"{Prefix}l:fr"), cancel]),
            "contact" => ("New client (3/3): who is the contact there? Reply with a name (their invitation says hello to them), or skip.",
                [InlineKeyboardButton.WithCallbackData("Skip", $"{Prefix}k:0"), cancel]),
            _ => throw new InvalidOperationException($"No question for step {dialog.Step}"),
        };
        await turn.SendAsync(dialog.ChatId, new SendMessageRequest
        {
            ChatId = dialog.ChatId, MessageThreadId = dialog.ThreadId, Text = question.Text,
            ReplyMarkup = new InlineKeyboardMarkup(question.Buttons.Chunk(2)),
        });
    }

    private IEnumerable<InlineKeyboardButton> StartButtons(Turn turn, InlineKeyboardButton cancel)
    {
        var today = agency.Value.DateOf(turn.Now);
        var monday = today.AddDays(((int)DayOfWeek.Monday - (int)today.DayOfWeek + 6) % 7 + 1); // the next one, never today
        string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return [InlineKeyboardButton.WithCallbackData($"Today ({Day(today)})", $"{Prefix}s:{Day(today)}"),
            InlineKeyboardButton.WithCallbackData($"Monday ({Day(monday)})", $"{Prefix}s:{Day(monday)}"), cancel];
    }

    private async Task FinishProjectAsync(Turn turn, Dialog dialog, CallbackQuery query)
    {
        var (c, t) = turn;
        var a = dialog.Answers;
        var spec = new NewProject(a.ClientId, a.ClientName, a.Name!, a.TemplateId, StartOn: a.StartOn, Language: a.Language);
        var username = await botUser.UsernameAsync(c, t);
        var created = await setup.CreateAsync(c, t, spec, username, turn.Member!.Id, turn.Now);
        await DialogStore.EndAsync(c, t, dialog.ChatId, dialog.UserId);
        if (created.Project is not { } project)
        {
            logger.LogWarning("/newproject by staff {StaffId} created nothing: {Problem}", turn.Member.Id, created.Problem);
            await turn.SayUnderAsync(query, $"Nothing was created: {created.Problem} Start again with /newproject.");
            return;
        }
        var tasks = created.Tasks;
        logger.LogInformation("Staff {StaffId} created project {ProjectId} with {Tasks} tasks", turn.Member.Id, project.Id, tasks);
        var where = created.Invitation is { } invitation ? await PostInvitationAsync(turn, invitation) : "I do not know my own username yet, so there is no invitation: /invite in the project's topic makes one.";
        await turn.SayUnderAsync(query, $"✅ Created {await ClientNameAsync(turn, dialog with { Answers = a with { ClientId = project.ClientId } })} · {project.Name}: " +
            $"{tasks} {(tasks == 1 ? "task" : "tasks")}, starting {(a.StartOn ?? agency.Value.DateOf(turn.Now)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}. {where}");
    }

    /// <summary>Posts the invitation in the project's topic; when there is no staff chat, where the person is. Says where.</summary>
    public async Task<string> PostInvitationAsync(Turn turn, Invitation invitation)
    {
        var (c, t) = turn;
        if (turn.StaffChat is { } staff)
        {
            await invitation.PostAsync(c, t, outbox, staff.ChatId, turn.Now);
            return $"The invitation (text and QR code) is in its topic. Link: {invitation.Link}";
        }
        return $"Send the client this invitation:\n\n{invitation.Text}";
    }

    private async Task FinishClientAsync(Turn turn, Dialog dialog)
    {
        var (c, t) = turn;
        var a = dialog.Answers;
        var client = await ClientStore.AddAsync(c, t, a.ClientName!, a.Language, a.Contact, turn.Now);
        await DialogStore.EndAsync(c, t, dialog.ChatId, dialog.UserId);
        logger.LogInformation("Staff {StaffId} created client {ClientId}", turn.Member!.Id, client.Id);
        await turn.SendAsync(dialog.ChatId, new SendMessageRequest
        {
            ChatId = dialog.ChatId, MessageThreadId = dialog.ThreadId,
            Text = $"✅ Client {client.Name} created ({client.Language ?? "en"}{(client.Contact is { } contact ? $", contact {contact}" : "")}).",
            ReplyMarkup = new InlineKeyboardMarkup(InlineKeyboardButton.WithCallbackData($"➕ New project for {Clip(client.Name)}", $"{Prefix}forclient:{client.Id}")),
        });
    }

    private static async Task<string> ClientNameAsync(Turn turn, Dialog dialog) =>
        dialog.Answers.ClientId is { } id ? (await ClientStore.FindAsync(turn.Connection, turn.Transaction, id))?.Name ?? "?" : dialog.Answers.ClientName ?? "?";

    private static string Clip(string text) => text.Length <= 30 ? text : text[..29] + "…";
}

using AgencyBot.Core.Agency;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Onboarding;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Core.Turns;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Updates;

/// <summary>
/// Invites in the project's topic: /invites lists the open ones with a Revoke button each, and a chat that joined with
/// a team invite is approved or refused with the buttons under its notice. Callback data is
/// "inv:&lt;ok|no&gt;:&lt;project&gt;:&lt;chat&gt;" or "inv:rv:&lt;project&gt;:&lt;code&gt;"; only active staff pressing in the staff
/// chat are obeyed, and a second press finds the decision made.
/// </summary>
public sealed class InviteDesk(ClientMessages clientMessages, OutboxStore outbox, BotUser botUser, IOptions<AgencyOptions> agency, ILogger<InviteDesk> logger)
{
    public const string Prefix = "inv:";

    public static InlineKeyboardMarkup Approval(long projectId, long chatId) => new([[
        InlineKeyboardButton.WithCallbackData("✅ Approve", $"{Prefix}ok:{projectId}:{chatId}"),
        InlineKeyboardButton.WithCallbackData("⛔ Refuse", $"{Prefix}no:{projectId}:{chatId}")]]);

    /// <summary>/invite in a project's topic: a new invitation (text to forward and QR code), posted there.</summary>
    public async Task InviteAsync(Turn turn, long projectId, Message command)
    {
        var (c, t) = turn;
        if (await botUser.UsernameAsync(c, t) is not { } username)
        {
            await turn.ReplyAsync(command, "I do not know my own username yet (Telegram has not answered since I started). Try again in a minute.");
            return;
        }
        var invitation = (await Invitation.CreateAsync(c, t, projectId, username, agency.Value.Name, agency.Value.InviteLifetime, turn.Now))!;
        logger.LogInformation("Staff {StaffId} made an invitation for project {ProjectId}", turn.Member!.Id, projectId);
        await invitation.PostAsync(c, t, outbox, turn.StaffChat!.ChatId, turn.Now);
    }

    /// <summary>/invites in a project's topic: who has joined, and the invites nobody used yet (to revoke).</summary>
    public async Task ListAsync(Turn turn, long projectId, Message command)
    {
        var (c, t) = turn;
        var open = (await InviteStore.OfProjectAsync(c, t, projectId, turn.Now)).Where(i => i.State == "open").Take(20).ToList();
        var joined = new List<string>();
        foreach (var chat in await ChatBindingStore.ChatsOfProjectAsync(c, t, projectId))
            joined.Add(ClientChatStore.TitleOf(await ClientChatStore.FindAsync(c, t, chat.ChatId), chat.ChatId));
        var who = joined.Count == 0 ? "Nobody has joined yet." : $"Joined: {string.Join(", ", joined)}.";
        if (open.Count == 0)
        {
            await turn.NoticeAsync(projectId, $"{who}\nNo invite is waiting to be used. /invite makes one.", command.Id);
            return;
        }
        var lines = open.Select(i => $"• {i.Kind} invite …{i.Code[^4..]}, not used yet, until {DateTimeOffset.FromUnixTimeMilliseconds(i.ExpiresAt):yyyy-MM-dd HH:mm} UTC");
        var buttons = new InlineKeyboardMarkup(open.Select(i =>
            new[] { InlineKeyboardButton.WithCallbackData($"Revoke …{i.Code[^4..]}", $"{Prefix}rv:{projectId}:{i.Code}") }));
        await turn.NoticeAsync(projectId, $"{who}\nWaiting to be used:\n{string.Join("\n", lines)}", command.Id, buttons: buttons);
    }

    public async Task HandleButtonAsync(Turn turn, CallbackQuery query)
    {
        var (c, t) = turn;
        var (staff, member, now) = (turn.StaffChat, turn.Member, turn.Now);
        var parts = query.Data![Prefix.Length..].Split(':');
        var projectId = parts.Length == 3 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
        if (member is null || staff is null || query.Message?.Chat.Id != staff.ChatId || projectId == 0)
        {
            logger.LogWarning("Refused invite button {Data} from {UserId} in chat {ChatId}", query.Data, query.From.Id, query.Message?.Chat.Id);
            await turn.RefusePressAsync(query);
            return;
        }
        switch (parts[0])
        {
            case "rv":
                var revoked = await InviteStore.RevokeAsync(c, t, projectId, parts[2], now);
                if (revoked) logger.LogInformation("Invite of project {ProjectId} revoked by staff {StaffId}", projectId, member.Id);
                await turn.AnswerButtonAsync(query, revoked ? "Revoked: nobody can use this invite any more." : "This invite was revoked already.");
                if (revoked) await turn.NoticeAsync(projectId, $"🔒 {member.Name} revoked the invite …{parts[2][^Math.Min(4, parts[2].Length)..]}.");
                break;
            case "ok" or "no" when long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var askedAs):
                // The group may have become a supergroup (a new id) since it asked.
                var chatId = await StaffChatStore.CurrentIdAsync(c, t, askedAs);
                var project = (await ChatBindingStore.PendingProjectsOfChatAsync(c, t, chatId)).FirstOrDefault(b => b.ProjectId == projectId);
                var chat = await ClientChatStore.FindAsync(c, t, chatId);
                var name = ClientChatStore.TitleOf(chat, chatId);
                if (project is null)
                {
                    await turn.AnswerButtonAsync(query, "Already decided.");
                    break;
                }
                if (parts[0] == "ok")
                {
                    await ChatBindingStore.ApproveAsync(c, t, chatId, projectId, now);
                    logger.LogInformation("Chat {ChatId} approved for project {ProjectId} by staff {StaffId}", chatId, projectId, member.Id);
                    await turn.AnswerButtonAsync(query, $"{name} is linked.");
                    await turn.NoticeAsync(projectId, $"✅ {member.Name} approved {name}: it is linked to this project.", query.Message.Id);
                    await clientMessages.ApprovedAsync(turn, chatId, project);
                }
                else
                {
                    await ChatBindingStore.RefuseAsync(c, t, chatId, projectId);
                    logger.LogInformation("Chat {ChatId} refused for project {ProjectId} by staff {StaffId}", chatId, projectId, member.Id);
                    await turn.AnswerButtonAsync(query, $"{name} is not linked.");
                    await turn.NoticeAsync(projectId, $"⛔ {member.Name} refused {name}: nothing it wrote was relayed.", query.Message.Id);
                    await clientMessages.RefusedAsync(turn, chatId, project);
                }
                break;
            default:
                await turn.AnswerButtonAsync(query, "This button has expired.");
                break;
        }
    }
}

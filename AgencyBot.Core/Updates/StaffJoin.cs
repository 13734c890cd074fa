using AgencyBot.Core.Messaging;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.Turns;

namespace AgencyBot.Core.Updates;

/// <summary>
/// Someone opened a staff link (t.me/&lt;bot&gt;?start=staff-… or owner-…) in their private chat with the bot: they become
/// staff with their Telegram id and name, in the link's role. Nobody types a numeric id. A link works once; a person
/// who is staff already does not spend it; someone who left comes back only through a new link.
/// </summary>
public sealed class StaffJoin(StaffChanges changes, ILogger<StaffJoin> logger)
{
    public async Task HandleAsync(Turn turn, Message message, string code)
    {
        var (c, t) = turn;
        var from = message.From!;
        if (turn.Member is { } already)
        {
            await turn.ReplyAsync(message, $"You are already on staff, as {StaffStore.RoleName(already.Role)}. This link stays unused: " +
                "forward it to the person it is for.");
            return;
        }
        if (await StaffInviteStore.RedeemAsync(c, t, code, turn.Now) is not { } link)
        {
            logger.LogWarning("Telegram user {UserId} opened a staff link that cannot be used (unknown, used, expired or revoked)", from.Id);
            await turn.ReplyAsync(message, "This staff link cannot be used: it was used already, has expired or was revoked. " +
                "Ask a manager of your agency for a new one (/invite_staff).");
            return;
        }
        var name = NameOf(from);
        var member = await StaffStore.RegisterAsync(c, t, from.Id, name, link.Role, link.CreatedBy, turn.Now)
            ?? (await changes.ChangeAsync(c, t, (await StaffStore.FindAnyByTelegramUserAsync(c, t, from.Id))!.Id, name, link.Role, true, link.CreatedBy))!.After;
        await StaffInviteStore.RecordUserAsync(c, t, link.Code, member.Id);
        await StaffStore.MarkStartedBotAsync(c, t, member.Id);
        await turn.SendAsync(from.Id, BotCommands.MenuFor(from.Id, BotCommands.StaffPrivate));
        logger.LogInformation("Telegram user {UserId} joined the staff as {Role} (staff {StaffId}{Owner})", from.Id, link.Role, member.Id,
            link.Owner ? ", the owner link" : "");
        if (link.Owner)
        {
            await turn.ReplyAsync(message, $"Welcome, {member.FirstName}! You are the agency's first manager. Next:\n" +
                "1. Create a Telegram group for your team, turn on Topics in its settings, and add me as an admin who can manage topics.\n" +
                "2. Send /setup there: it becomes the staff chat, with one topic per client project.\n" +
                "3. /invite_staff assistant (or employee, manager) gives a link for each colleague.\n" +
                "4. /newproject in the staff chat creates a client's project and the invitation to send them.");
            return;
        }
        await turn.ReplyAsync(message, $"Welcome, {member.FirstName}! You are on staff as {StaffStore.RoleName(member.Role)}. " +
            "Tasks assigned to you are announced here; /my lists them. Clients are answered from the staff chat.");
        var by = link.CreatedBy is { } id ? await StaffStore.FindAsync(c, t, id) : null;
        await turn.TellManagersAsync($"👋 {member.Name} joined the staff as {StaffStore.RoleName(member.Role)}" +
            (by is null ? " (a link from the admin API)." : $" (a link from {by.Name})."));
    }

    /// <summary>The name Telegram shows: first and last name, at most 100 characters.</summary>
    private static string NameOf(User user)
    {
        var name = $"{user.FirstName} {user.LastName}".Trim();
        if (name.Length == 0) name = user.Username ?? $"User {user.Id}";
        return name.Length <= 100 ? name : name[..100];
    }
}

using System.Data;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.Telegram;
using Dapper;
using Telegram.Bot.Types;

namespace AgencyBot.Core.Staff;

/// <summary>A staff member's private chat with the bot: where assignments reach them, and /my works.</summary>
public sealed class StaffPrivateChat(TaskCommands commands, ReplyInPlace reply, BotUser botUser)
{
    private const string MarkStarted = "UPDATE staff SET started_bot = 1 WHERE id = @Id";

    public async Task HandleAsync(Message message, StaffMember member, StaffChat? staff, IDbConnection c, IDbTransaction t)
    {
        await c.ExecuteAsync(MarkStarted, new { member.Id }, t);
        if (botUser.ParseCommand(message.Text) is { } command && staff is not null && TaskCommands.Names.Contains(command.Name))
        {
            await commands.HandleAsync(message, command, member, staff, null, c, t);
            return;
        }
        await reply.SendAsync(c, t, message,
            $"Hi {member.Name.Split(' ')[0]}! You are registered as {member.Role.ToString().ToLowerInvariant()}. " +
            "Tasks assigned to you will be announced here; /my lists them. Clients are answered from the staff group.");
    }
}

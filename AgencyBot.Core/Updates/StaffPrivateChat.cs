using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Core.Tasks;

namespace AgencyBot.Core.Updates;

/// <summary>A staff member's private chat with the bot: where assignments reach them, and /my works.</summary>
public sealed class StaffPrivateChat(StaffCommands commands, StaffRoster staffRoster, ReplyInPlace reply, BotUser botUser)
{
    public async Task HandleAsync(Message message, StaffMember member, StaffChat? staff, IDbConnection c, IDbTransaction t)
    {
        await StaffStore.MarkStartedBotAsync(c, t, member.Id);
        if (botUser.ParseCommand(message.Text) is { Name: "staff" })
        {
            await staffRoster.ListAsync(c, t, message, member);
            return;
        }
        if (botUser.ParseCommand(message.Text) is { } command && staff is not null && BotCommands.IsStaff(command.Name, CommandDesk.Tasks))
        {
            await commands.HandleAsync(message, command, member, staff, null, c, t);
            return;
        }
        await reply.SendAsync(c, t, message,
            $"Hi {member.Name.Split(' ')[0]}! You are registered as {member.Role.ToString().ToLowerInvariant()}. " +
            "Tasks assigned to you will be announced here; /my lists them. Clients are answered from the staff group.");
    }
}

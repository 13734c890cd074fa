using AgencyBot.Core.Messaging;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.Turns;

namespace AgencyBot.Core.Updates;

/// <summary>A staff member's private chat with the bot: where assignments reach them, and /my works.</summary>
public sealed class StaffPrivateChat(StaffCommands commands, StaffRoster staffRoster, ProjectDialog dialogs, ImportDesk imports, BotUser botUser)
{
    public async Task HandleAsync(Turn turn, Message message)
    {
        var member = turn.Member!;
        // The first time: their "/" menu becomes the staff one (the client menu is every private chat's default).
        if (await StaffStore.MarkStartedBotAsync(turn.Connection, turn.Transaction, member.Id))
            await turn.SendAsync(member.TelegramUserId, BotCommands.MenuFor(member.TelegramUserId, BotCommands.StaffPrivate));
        if (await dialogs.AnswerAsync(turn, message)) return;
        switch (botUser.ParseCommand(message.Text ?? message.Caption))
        {
            case { Name: "import" }:
                await imports.RequestAsync(turn, message);
                return;
            case { Name: "newproject" }:
                await dialogs.StartProjectAsync(turn, message);
                return;
            case { Name: "newclient" } newClient:
                await dialogs.StartClientAsync(turn, message, newClient.Args);
                return;
            case { Name: "staff" }:
                await staffRoster.ListAsync(turn, message);
                return;
            case { Name: "invite_staff" } invite:
                await staffRoster.InviteAsync(turn, message, invite);
                return;
        }
        if (botUser.ParseCommand(message.Text) is { } command && turn.StaffChat is not null && BotCommands.IsStaff(command.Name, CommandDesk.Tasks))
        {
            await commands.HandleAsync(turn, message, command, null);
            return;
        }
        await turn.ReplyAsync(message,
            $"Hi {member.Name.Split(' ')[0]}! You are registered as {member.Role.ToString().ToLowerInvariant()}. " +
            "Tasks assigned to you will be announced here; /my lists them. Clients are answered from the staff group.");
    }
}

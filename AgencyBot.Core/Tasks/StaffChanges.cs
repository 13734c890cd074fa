using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;

namespace AgencyBot.Core.Tasks;

/// <summary>
/// Changes to who is on staff, from the admin API or a manager in Telegram, with what follows from them: a person
/// who leaves loses every staff power at once (see <see cref="StaffStore.ChangeAsync"/>), and the open tasks they
/// were responsible for are listed in each project's topic so someone takes them over.
/// </summary>
public sealed class StaffChanges(StaffChatStore staffChats, StaffNotices notices, OutboxStore outbox, TimeProvider clock, ILogger<StaffChanges> logger)
{
    public async Task<StaffChange?> ChangeAsync(IDbConnection c, IDbTransaction t, long staffId, string? name, StaffRole? role, bool? active,
        long? actorId)
    {
        if (await StaffStore.ChangeAsync(c, t, staffId, name, role, active, actorId, clock.GetUtcNow()) is not { } change) return null;
        logger.LogInformation("Staff {StaffId} changed by {ActorId}: {Before} → {After}", staffId, actorId?.ToString() ?? "the admin API",
            Describe(change.Before), Describe(change.After));
        if (change.Deactivated)
        {
            // Someone who left plays no team role and holds no waiting client any more.
            await TeamStore.LeaveAllAsync(c, t, staffId);
            await ConversationStore.LetGoOfAsync(c, t, staffId);
            await outbox.EnqueueAsync(c, t, change.After.TelegramUserId, BotCommands.NoStaffMenu(change.After.TelegramUserId));
        }
        if (change.Deactivated && await staffChats.GetAsync(c, t) is { } staff)
            foreach (var project in (await TaskStore.OfStaffAsync(c, t, staffId)).GroupBy(o => o.Task.ProjectId))
            {
                var tasks = project.Select(o => o.Task).ToList();
                var list = string.Join("; ", tasks.Take(15).Select(task => $"#{task.Number} {task.Title}")) + (tasks.Count > 15 ? $"; and {tasks.Count - 15} more" : "");
                await notices.NoticeAsync(c, t, staff, project.Key,
                    $"👋 {change.After.Name} is no longer on staff. Their open tasks here need someone: {list}. /assign #{tasks[0].Number} <name>");
            }
        return change;
    }

    private static string Describe(StaffMember m) => $"{m.Name} ({StaffStore.RoleName(m.Role)}{(m.Active ? "" : ", deactivated")})";
}

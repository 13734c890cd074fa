using AgencyBot.Core.Clients;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;

namespace AgencyBot.Core.Tasks;

/// <summary>
/// /status for a client: the active tasks of the chat's current project, with who does each, progress and due date.
/// Only that project, never staff-only tasks or anything of another client.
/// </summary>
public sealed class ClientStatus(OutboxStore outbox)
{
    public async Task SendAsync(IDbConnection c, IDbTransaction t, long chatId, BoundProject project, string language)
    {
        var open = (await TaskStore.OfProjectAsync(c, t, project.ProjectId, openOnly: true))
            .Where(task => !task.StaffOnly && task.ParentNumber is null)
            .ToList();
        var text = open.Count == 0
            ? ClientTexts.Get("StatusNothing", language, project.ProjectName)
            : ClientTexts.Get("StatusHeader", language, project.ProjectName) + "\n" +
              string.Join("\n", open.Select(task => ClientTexts.Get("StatusLine", language, task.Title, TaskWork.Describe(task, language))));
        await outbox.EnqueueTextAsync(c, t, chatId, text);
    }
}

using AgencyBot.Core.Data;
using AgencyBot.Core.Projects;
using Microsoft.Extensions.Hosting;

namespace AgencyBot.Core.StaffGroup;

/// <summary>
/// At start-up, every open project without a topic in the staff chat gets its opening notice, whose sending creates
/// the topic: projects made before topics were opened at creation, or before the staff chat became a forum or moved.
/// Only where Telegram last said the chat has topics (elsewhere the notices would only fill the group). A project whose
/// topic post is already queued is left to it, so several hosts starting together open each topic once.
/// </summary>
public sealed class MissingTopics(Database database, StaffChatStore staffChats, StaffNotices notices, ILogger<MissingTopics> logger) : BackgroundService
{
    private const string SelectWithout = """
        SELECT p.id FROM projects p
        WHERE p.archived_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM staff_topics s WHERE s.project_id = p.id AND s.staff_chat_id = @StaffChatId)
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.chat_id = @StaffChatId AND o.topic_project_id = p.id AND o.state = 'pending')
        ORDER BY p.id
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var opened = await database.WriteAsync(async (c, t) =>
            {
                if (await staffChats.GetAsync(c, t) is not { IsForum: true } staff) return 0;
                var projects = (await c.QueryAsync<long>(SelectWithout, new { StaffChatId = staff.ChatId }, t)).AsList();
                foreach (var project in projects)
                    await notices.NoticeAsync(c, t, staff, project, StaffNotices.TopicOpening(await ProjectStore.LabelAsync(c, t, project) ?? $"Project {project}"));
                return projects.Count;
            }, stoppingToken);
            if (opened > 0) logger.LogInformation("{Count} projects had no staff topic: theirs are being opened", opened);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Not worth failing start-up for: a project without a topic gets one with its first message, as before.
            logger.LogWarning(ex, "Checking for projects without a staff topic failed");
        }
    }
}

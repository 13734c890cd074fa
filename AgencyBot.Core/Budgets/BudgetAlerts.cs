using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;

namespace AgencyBot.Core.Budgets;

/// <summary>
/// Tells the project's topic and every manager when a budget is 80 % used, and again when it is used up: once each
/// per period (a month for a monthly budget), whatever writes the time and however often the host restarts, because
/// each alert is claimed in the transaction that posts it. Called wherever time is written or a budget set.
/// </summary>
public sealed class BudgetAlerts(BudgetUse use, StaffChatStore staffChats, StaffNotices notices, OutboxStore outbox, ILogger<BudgetAlerts> logger)
{
    public static readonly IReadOnlyList<int> Thresholds = [80, 100];

    public async Task CheckAsync(IDbConnection c, IDbTransaction t, long projectId, DateTimeOffset now)
    {
        var status = await use.StatusAsync(c, t, projectId, now);
        if (status.UsedPercent is not { } used) return;
        int? reached = null;
        // A jump past both claims both, and says the higher one.
        foreach (var threshold in Thresholds.Where(p => used >= p))
            if (await BudgetStore.ClaimAlertAsync(c, t, projectId, status.Period, threshold, now)) reached = threshold;
        if (reached is not { } percent) return;

        var label = await ProjectStore.LabelAsync(c, t, projectId) ?? $"Project {projectId}";
        var what = percent >= 100 ? "⚠️ Budget used up" : $"📊 Budget {percent}% used";
        logger.LogInformation("Project {ProjectId}: budget {Percent}% used ({Used}%) in {Period}", projectId, percent, used, status.Period);
        if (await staffChats.GetAsync(c, t) is { } staff)
            await notices.NoticeAsync(c, t, staff, projectId, $"{what}: {BudgetUse.Line(status)}.");
        await StaffStore.TellManagersAsync(c, t, outbox, $"{what} on {label}: {BudgetUse.Line(status)}.");
    }
}

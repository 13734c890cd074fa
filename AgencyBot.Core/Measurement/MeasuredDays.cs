using AgencyBot.Core.Agency;
using AgencyBot.Core.Budgets;
using AgencyBot.Core.Data;
using AgencyBot.Core.TimeTracking;

namespace AgencyBot.Core.Measurement;

/// <summary>
/// Writes each day's measured communication time, once the day is over: one time entry per staff member and project
/// (source "measured"), in the transaction that records the day as measured, so a day is measured once however often
/// this runs. A person's day that already has a measured entry (they corrected it in advance) is left as it is. Days
/// missed while the service was down are measured when it is back, as far back as TimeTracking:Measure:Backfill.
/// </summary>
public sealed class MeasuredDays(Database database, BusinessCalendar calendar, BudgetAlerts alerts, IOptions<TimeTrackingOptions> options,
    IOptions<AgencyOptions> agency, TimeProvider clock, ILogger<MeasuredDays> logger)
{
    private const string SelectActivity = """
        SELECT c.project_id AS ProjectId, m.conversation_id AS ConversationId, s.id AS StaffId, m.direction AS Direction,
               LENGTH(COALESCE(m.text, '')) AS Length, m.created_at AS At
        FROM messages m
        JOIN conversations c ON c.id = m.conversation_id
        LEFT JOIN staff s ON s.telegram_user_id = m.sender_user_id AND m.direction <> 'client'
        WHERE m.created_at >= @From AND m.created_at < @To
        """;

    private const string SelectMeasuredDays = "SELECT day FROM measure_runs WHERE day >= @From";

    private const string ClaimDay = "INSERT INTO measure_runs (day, measured_at) VALUES (@Day, @Now) ON CONFLICT (day) DO NOTHING";

    private sealed record Row
    {
        public long ProjectId { get; init; }
        public long ConversationId { get; init; }
        public long? StaffId { get; init; }
        public string Direction { get; init; } = "";
        public long Length { get; init; }
        public long At { get; init; }
    }

    /// <summary>How long after its end a day is measured: what was written in its last minutes may still be in the inbox.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromHours(1);

    private MeasureOptions Options => options.Value.Measure;

    /// <summary>A day's measured time per project and staff member, from the record as it is now (today: so far).</summary>
    public async Task<IReadOnlyDictionary<(long ProjectId, long StaffId), TimeSpan>> MeasureAsync(IDbConnection c, IDbTransaction? t, DateOnly day)
    {
        var rows = await c.QueryAsync<Row>(SelectActivity, new
        {
            From = calendar.Instant(day, TimeOnly.MinValue).ToUnixTimeMilliseconds(),
            To = calendar.Instant(day.AddDays(1), TimeOnly.MinValue).ToUnixTimeMilliseconds(),
        }, t);
        return CommunicationTime.Measure(rows.Select(r => new Activity(r.ProjectId, r.ConversationId, r.StaffId, r.Direction == "client", r.Length,
            DateTimeOffset.FromUnixTimeMilliseconds(r.At))), Options);
    }

    /// <summary>Measures every day over (for at least <see cref="Settle"/>) and not measured yet within the backfill;
    /// returns how many days it measured.</summary>
    public async Task<int> MeasureMissingDaysAsync(CancellationToken ct = default)
    {
        if (!Options.Enabled) return 0;
        var today = agency.Value.DateOf(clock.GetUtcNow() - Settle);
        var first = today.AddDays(-Math.Max(1, (int)Options.Backfill.TotalDays));
        HashSet<string> done;
        await using (var connection = await database.OpenAsync(ct))
            done = (await connection.QueryAsync<string>(SelectMeasuredDays, new { From = TimeEntryStore.Iso(first) })).ToHashSet(StringComparer.Ordinal);
        var measured = 0;
        for (var day = first; day < today; day = day.AddDays(1))
            if (!done.Contains(TimeEntryStore.Iso(day)) && await RecordAsync(day, ct)) measured++;
        return measured;
    }

    /// <summary>Measures a day even if it was measured already, writing only what is missing (a person's day with no
    /// measured entry yet): for history written after its days were measured (the sandbox's).</summary>
    public Task RemeasureAsync(DateOnly day, CancellationToken ct = default) => RecordAsync(day, ct, again: true);

    private Task<bool> RecordAsync(DateOnly day, CancellationToken ct, bool again = false) =>
        database.WriteAsync(async (c, t) =>
        {
            var now = clock.GetUtcNow();
            if (await c.ExecuteAsync(ClaimDay, new { Day = TimeEntryStore.Iso(day), Now = now.ToUnixTimeMilliseconds() }, t) != 1 && !again) return false;
            var entries = 0;
            var measured = await MeasureAsync(c, t, day);
            foreach (var ((projectId, staffId), time) in measured)
            {
                var minutes = CommunicationTime.Minutes(time);
                if (minutes == 0 || await TimeEntryStore.MeasuredAsync(c, t, projectId, staffId, day) is not null) continue;
                await TimeEntryStore.AddAsync(c, t, new NewTimeEntry(projectId, staffId, minutes, Options.Category, "measured from the conversation record",
                    day, TimeSource.Measured), now);
                entries++;
            }
            foreach (var projectId in measured.Keys.Select(k => k.ProjectId).Distinct())
                await alerts.CheckAsync(c, t, projectId, now);
            logger.LogInformation("Measured communication time of {Day:yyyy-MM-dd}: {Entries} entries", day, entries);
            return true;
        }, ct);
}

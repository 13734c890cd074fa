using System.Data.Common;
using AgencyBot.Core.Agency;
using AgencyBot.Core.Budgets;
using AgencyBot.Core.Data;
using AgencyBot.Core.TimeTracking;

namespace AgencyBot.Core.Measurement;

/// <summary>
/// Writes each day's measured communication time, once the day is over: one time entry per staff member and project
/// (source "measured"), in the transaction that records the day as measured, so a day is measured once however often
/// this runs. A person's day that already has a measured entry (they corrected it in advance) is left as it is. Days
/// missed while the service was down are measured when it is back, as far back as TimeTracking:Measure:Backfill, but
/// not before the first message on record: a new agency's database has no days to catch up.
/// </summary>
public sealed class MeasuredDays(Database database, BusinessCalendar calendar, BudgetAlerts alerts, IOptions<TimeTrackingOptions> options,
    IOptions<AgencyOptions> agency, TimeProvider clock, ILogger<MeasuredDays> logger)
{
    // The day's messages alone, read from the index messages_by_time (migration 0018) without visiting the rows: keep
    // these expressions as the index has them. Whose project and which staff member is looked up in memory, from two
    // small tables read once, rather than joined row by row.
    private const string SelectActivity = """
        SELECT conversation_id AS ConversationId, CASE WHEN direction = 'client' THEN 1 ELSE 0 END AS ByClient,
               sender_user_id AS SenderUserId, length(COALESCE(text, '')) AS Length, created_at AS At
        FROM messages
        WHERE created_at >= @From AND created_at < @To
        """;

    private const string SelectConversations = "SELECT id, project_id FROM conversations";

    private const string SelectStaff = "SELECT telegram_user_id, id FROM staff";

    private const string SelectMeasuredDays = "SELECT day FROM measure_runs WHERE day >= @From";

    // The first entry of messages_by_time: no table scan.
    private const string SelectFirstMessage = "SELECT MIN(created_at) FROM messages";

    private const string ClaimDay = "INSERT INTO measure_runs (day, measured_at) VALUES (@Day, @Now) ON CONFLICT (day) DO NOTHING";

    /// <summary>How long after its end a day is measured: what was written in its last minutes may still be in the inbox.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromHours(1);

    private MeasureOptions Options => options.Value.Measure;

    /// <summary>A day's measured time per project and staff member, from the record as it is now (today: so far).</summary>
    public async Task<IReadOnlyDictionary<(long ProjectId, long StaffId), TimeSpan>> MeasureAsync(IDbConnection c, IDbTransaction? t, DateOnly day)
    {
        var projectOf = (await c.QueryAsync<(long Id, long ProjectId)>(SelectConversations, transaction: t)).ToDictionary(x => x.Id, x => x.ProjectId);
        var staffOf = (await c.QueryAsync<(long TelegramUserId, long Id)>(SelectStaff, transaction: t)).ToDictionary(x => x.TelegramUserId, x => x.Id);
        var activity = new List<Activity>();
        // Read field by field, straight into the model's input: a busy day has tens of thousands of messages, and a
        // mapped object per row would be most of the work.
        using (var reader = await c.ExecuteReaderAsync(SelectActivity, new
        {
            From = calendar.Instant(day, TimeOnly.MinValue).ToUnixTimeMilliseconds(),
            To = calendar.Instant(day.AddDays(1), TimeOnly.MinValue).ToUnixTimeMilliseconds(),
        }, t))
        {
            var rows = (DbDataReader)reader;
            while (await rows.ReadAsync())
            {
                var (conversationId, byClient, sender) = (rows.GetInt64(0), rows.GetInt64(1) == 1, rows.GetInt64(2));
                activity.Add(new Activity(projectOf[conversationId], conversationId, byClient ? null : staffOf.TryGetValue(sender, out var staff) ? staff : null,
                    byClient, rows.GetInt64(3), DateTimeOffset.FromUnixTimeMilliseconds(rows.GetInt64(4))));
            }
        }
        return CommunicationTime.Measure(activity, Options);
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
        {
            // A day before the first message has nothing to measure. Not recorded as measured either: a message of that
            // day arriving late (Telegram's date, after an outage) makes it the first, and its day is measured then.
            if (await connection.ExecuteScalarAsync<long?>(SelectFirstMessage) is not { } firstMessage) return 0;
            var firstDay = agency.Value.DateOf(DateTimeOffset.FromUnixTimeMilliseconds(firstMessage));
            if (firstDay > first) first = firstDay;
            done = (await connection.QueryAsync<string>(SelectMeasuredDays, new { From = TimeEntryStore.Iso(first) })).ToHashSet(StringComparer.Ordinal);
        }
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

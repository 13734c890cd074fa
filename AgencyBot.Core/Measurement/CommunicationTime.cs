using AgencyBot.Core.TimeTracking;

namespace AgencyBot.Core.Measurement;

/// <summary>Something in the conversation record: a client's message (Staff null), or a staff member's answer, note,
/// command or button press.</summary>
public sealed record Activity(long ProjectId, long ConversationId, long? StaffId, bool ByClient, long Length, DateTimeOffset At);

/// <summary>
/// The measurement model, as a pure function of one day's activity (see <see cref="MeasureOptions"/>): per project and
/// staff member, the sessions of their activity, each costing its span plus a fixed part, plus the reading of the
/// client messages they were the next to act on.
/// </summary>
public static class CommunicationTime
{
    public static IReadOnlyDictionary<(long ProjectId, long StaffId), TimeSpan> Measure(IEnumerable<Activity> day, MeasureOptions options)
    {
        var reading = new Dictionary<(long, long), TimeSpan>();
        var moments = new Dictionary<(long, long), List<DateTimeOffset>>();
        foreach (var conversation in day.GroupBy(a => a.ConversationId))
        {
            var unread = new List<Activity>();
            foreach (var activity in conversation.OrderBy(a => a.At))
            {
                if (activity.ByClient)
                {
                    unread.Add(activity);
                    continue;
                }
                if (activity.StaffId is not { } staff) continue;
                var key = (activity.ProjectId, staff);
                if (!moments.TryGetValue(key, out var list)) moments[key] = list = [];
                list.Add(activity.At);
                // Whoever acts first after the client wrote has read it.
                foreach (var message in unread)
                    reading[key] = reading.GetValueOrDefault(key) + options.ReadPerMessage
                                   + TimeSpan.FromMinutes((double)message.Length / options.ReadingCharsPerMinute);
                unread.Clear();
            }
        }
        return moments.ToDictionary(m => m.Key, m => Sessions(m.Value, options) + reading.GetValueOrDefault(m.Key));
    }

    /// <summary>The sessions' cost: a session ends after the gap; each costs its span plus the fixed part.</summary>
    private static TimeSpan Sessions(List<DateTimeOffset> moments, MeasureOptions options)
    {
        moments.Sort();
        var total = TimeSpan.Zero;
        var (start, last) = (moments[0], moments[0]);
        foreach (var moment in moments.Skip(1))
        {
            if (moment - last > options.SessionGap)
            {
                total += last - start + options.PerSession;
                start = moment;
            }
            last = moment;
        }
        return total + (last - start) + options.PerSession;
    }

    /// <summary>Whole minutes, as a time entry keeps them (half a minute rounds up), at most a day.</summary>
    public static int Minutes(TimeSpan time) => (int)Math.Min(24 * 60, Math.Round(time.TotalMinutes, MidpointRounding.AwayFromZero));
}

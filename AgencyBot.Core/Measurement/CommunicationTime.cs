using AgencyBot.Core.TimeTracking;

namespace AgencyBot.Core.Measurement;

/// <summary>Something in the conversation record: a client's message (Staff null), or a staff member's answer, note,
/// command or button press.</summary>
public readonly record struct Activity(long ProjectId, long ConversationId, long? StaffId, bool ByClient, long Length, DateTimeOffset At);

/// <summary>
/// The measurement model, as a pure function of one day's activity (see <see cref="MeasureOptions"/>): per project and
/// staff member, the sessions of their activity, each costing its span plus a fixed part, plus the reading of the
/// client messages they were the next to act on.
/// </summary>
public static class CommunicationTime
{
    public static IReadOnlyDictionary<(long ProjectId, long StaffId), TimeSpan> Measure(IEnumerable<Activity> day, MeasureOptions options)
    {
        // A day can hold tens of thousands of messages: grouped and sorted in place, in the order they came when two
        // share a second.
        var conversations = new Dictionary<long, List<(Activity Activity, int Order)>>();
        var order = 0;
        foreach (var activity in day)
        {
            if (!conversations.TryGetValue(activity.ConversationId, out var list)) conversations[activity.ConversationId] = list = [];
            list.Add((activity, order++));
        }
        var reading = new Dictionary<(long, long), TimeSpan>();
        var moments = new Dictionary<(long, long), List<DateTimeOffset>>();
        foreach (var conversation in conversations.Values)
        {
            conversation.Sort((x, y) => x.Activity.At != y.Activity.At ? x.Activity.At.CompareTo(y.Activity.At) : x.Order.CompareTo(y.Order));
            var unread = TimeSpan.Zero;
            foreach (var (activity, _) in conversation)
            {
                if (activity.ByClient)
                {
                    unread += options.ReadPerMessage + TimeSpan.FromMinutes((double)activity.Length / options.ReadingCharsPerMinute);
                    continue;
                }
                if (activity.StaffId is not { } staff) continue;
                var key = (activity.ProjectId, staff);
                if (!moments.TryGetValue(key, out var list)) moments[key] = list = [];
                list.Add(activity.At);
                // Whoever acts first after the client wrote has read it.
                if (unread > TimeSpan.Zero) reading[key] = reading.GetValueOrDefault(key) + unread;
                unread = TimeSpan.Zero;
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

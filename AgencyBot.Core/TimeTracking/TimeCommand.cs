using AgencyBot.Core.Projects;
using AgencyBot.Core.Turns;

namespace AgencyBot.Core.TimeTracking;

/// <summary>/time 1h30m &lt;category&gt; [note], in a project's topic, or /time &lt;project&gt; 1h30m &lt;category&gt; [note]
/// anywhere else; /time fix &lt;day&gt; &lt;duration&gt; corrects the communication time the bot measured for one's day.
/// Anything unparseable, negative, over a day, or of an unknown category or project gets the usage line and records
/// nothing.</summary>
public sealed class TimeCommand(IOptions<TimeTrackingOptions> options, IOptions<Agency.AgencyOptions> agency)
{
    public string Usage => $"/time <duration> <category> [note], e.g. /time 1h30m invoice March invoice. " +
                           $"Categories: {string.Join(", ", options.Value.All)}. Outside a project's topic: /time <project> <duration> <category> [note]. " +
                           "/time fix <yesterday | 2026-12-07> <duration> corrects your measured communication time of that day.";

    /// <summary>Records the time of the turn's staff member; returns what to answer, and the project it was logged on
    /// (null when nothing was).</summary>
    public async Task<(string Answer, long? LoggedOn)> RunAsync(Turn turn, string args, long? projectId)
    {
        var (c, t) = turn;
        var member = turn.Member ?? throw new InvalidOperationException("/time is a staff command");
        var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var fix = words.FirstOrDefault()?.Equals("fix", StringComparison.OrdinalIgnoreCase) == true;
        if (fix) words.RemoveAt(0);
        if (projectId is null)
        {
            if (words.Count == 0) return (Usage, null);
            var (found, problem) = await FindProjectAsync(words[0], c, t);
            if (found is null) return ($"{problem} {Usage}", null);
            projectId = found;
            words.RemoveAt(0);
        }
        if (fix) return await FixAsync(turn, member, projectId.Value, words);
        if (words.Count < 2) return (Usage, null);
        if (Durations.Parse(words[0]) is not { } duration) return ($"“{words[0]}” is not a duration I understand. {Usage}", null);
        if (duration <= TimeSpan.Zero || duration > TimeSpan.FromHours(24)) return ($"A time entry must be more than 0 and at most 24 hours. {Usage}", null);
        var category = words[1].ToLowerInvariant();
        if (!options.Value.All.Contains(category)) return ($"“{words[1]}” is not a category. {Usage}", null);
        var note = words.Count > 2 ? string.Join(' ', words.Skip(2)) : null;

        await TimeEntryStore.AddAsync(c, t, new NewTimeEntry(projectId.Value, member.Id, (int)duration.TotalMinutes, category,
            note?[..Math.Min(note.Length, 500)], agency.Value.DateOf(turn.Now)), turn.Now);
        var kind = options.Value.IsAccountManagement(category) ? "account management" : "production";
        return ($"⏱ {Durations.Format((long)duration.TotalMinutes)} of {category} ({kind}) recorded for {member.Name}.", projectId);
    }

    private async Task<(string Answer, long? LoggedOn)> FixAsync(Turn turn, Staff.StaffMember member, long projectId, List<string> words)
    {
        var today = agency.Value.DateOf(turn.Now);
        if (words.Count != 2) return (Usage, null);
        DateOnly? day = words[0].ToLowerInvariant() switch
        {
            "today" => today,
            "yesterday" => today.AddDays(-1),
            var iso => DateOnly.TryParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null,
        };
        if (day is not { } fixedDay || fixedDay > today) return ($"“{words[0]}” is not a day up to today. {Usage}", null);
        if (Durations.Parse(words[1]) is not { } duration || duration < TimeSpan.Zero || duration > TimeSpan.FromHours(24))
            return ($"“{words[1]}” is not a duration of at most 24 hours. {Usage}", null);
        var minutes = (int)duration.TotalMinutes;
        var before = await TimeEntryStore.CorrectMeasuredAsync(turn.Connection, turn.Transaction, projectId, member.Id, fixedDay, minutes,
            options.Value.Measure.Category, member.Name, turn.Now);
        return ($"⏱ Your communication time of {fixedDay:yyyy-MM-dd} is now {Durations.Format(minutes)}"
                + (before is { } was ? $" (measured: {Durations.Format(was)})." : "; the bot will not measure that day for you."), projectId);
    }

    private static async Task<(long? Id, string Problem)> FindProjectAsync(string reference, IDbConnection c, IDbTransaction t)
    {
        var projects = await ProjectStore.NamedAsync(c, t);
        if (long.TryParse(reference.TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return projects.Any(p => p.Id == id) ? (id, "") : (null, $"There is no project {id}.");
        var matches = projects.Where(p => p.Name.StartsWith(reference, StringComparison.OrdinalIgnoreCase)
                                          || p.Client.StartsWith(reference, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => (matches[0].Id, ""),
            0 => (null, $"No project matches “{reference}”."),
            _ => (null, $"Several projects match “{reference}”: {string.Join(", ", matches.Select(m => $"#{m.Id} {m.Label}"))}."),
        };
    }
}

namespace AgencyBot.Core.Tasks;

/// <summary>A reference to a task (#12) or one of its checklist items (#12.3).</summary>
public static class TaskRef
{
    /// <summary>"#12" or "12".</summary>
    public static bool TryNumber(string text, out long number) =>
        long.TryParse(text.TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out number) && number > 0;

    /// <summary>"#12 the rest": the task's number, and what follows it.</summary>
    public static bool TrySplit(string args, out long number, out string rest)
    {
        var space = args.IndexOf(' ');
        rest = space < 0 ? "" : args[(space + 1)..].Trim();
        return TryNumber(space < 0 ? args : args[..space], out number);
    }

    /// <summary>"#12" or "#12.3" (a checklist item).</summary>
    public static bool TryParse(string text, out long task, out long? item)
    {
        item = null;
        task = 0;
        var parts = text.Trim().TrimStart('#').Split('.');
        if (parts.Length is 0 or > 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out task) || task <= 0) return false;
        if (parts.Length == 1) return true;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0) return false;
        item = n;
        return true;
    }
}

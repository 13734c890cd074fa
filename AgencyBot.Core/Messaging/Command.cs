namespace AgencyBot.Core.Messaging;

/// <summary>A bot command as people type it: <c>/name@bot args</c>.</summary>
public sealed record Command(string Name, string Args, string? Bot)
{
    public static Command? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text) || text[0] != '/' || text.Length < 2) return null;
        var end = text.AsSpan().IndexOfAny(' ', '\n');
        var head = end < 0 ? text[1..] : text[1..end];
        var args = end < 0 ? "" : text[(end + 1)..].Trim();
        var at = head.IndexOf('@');
        var name = (at < 0 ? head : head[..at]).ToLowerInvariant();
        // Telegram commands are 1–32 Latin letters, digits and underscores; "// a note" is not one.
        return name.Length is 0 or > 32 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_')
            ? null
            : new Command(name, args, at < 0 ? null : head[(at + 1)..]);
    }
}

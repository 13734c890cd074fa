namespace AgencyBot.Core.SavedAnswers;

/// <summary>A saved answer: its shortcut and its text in each language it has.</summary>
public sealed record SavedAnswer(string Shortcut, IReadOnlyDictionary<string, string> Texts);

/// <summary>
/// The saved_answers table. A record is added to, never overwritten: saving a shortcut adds a row per language, the
/// latest row of a shortcut and language is the one in use, and deleting adds rows without text.
/// </summary>
public static class SavedAnswerStore
{
    private const string Insert = """
        INSERT INTO saved_answers (shortcut, language, text, saved_at, saved_by) VALUES (@Shortcut, @Language, @Text, @Now, @By)
        """;

    // The latest row of each shortcut and language, when it has a text.
    private const string SelectCurrent = """
        SELECT s.shortcut AS Shortcut, s.language AS Language, s.text AS Text
        FROM saved_answers s
        JOIN (SELECT shortcut, language, MAX(id) AS id FROM saved_answers GROUP BY shortcut, language) latest ON latest.id = s.id
        WHERE s.text IS NOT NULL
        ORDER BY s.shortcut, s.language
        """;

    /// <summary>Every saved answer in use, by shortcut.</summary>
    public static async Task<IReadOnlyList<SavedAnswer>> AllAsync(IDbConnection c, IDbTransaction? t) =>
        (await c.QueryAsync<(string Shortcut, string Language, string Text)>(SelectCurrent, transaction: t))
            .GroupBy(r => r.Shortcut)
            .Select(g => new SavedAnswer(g.Key, g.ToDictionary(r => r.Language, r => r.Text)))
            .ToList();

    public static async Task<SavedAnswer?> FindAsync(IDbConnection c, IDbTransaction? t, string shortcut) =>
        (await AllAsync(c, t)).FirstOrDefault(a => a.Shortcut.Equals(shortcut, StringComparison.OrdinalIgnoreCase));

    /// <summary>Saves the shortcut's texts; a language it had and <paramref name="texts"/> does not name is taken away.</summary>
    public static async Task SaveAsync(IDbConnection c, IDbTransaction t, string shortcut, IReadOnlyDictionary<string, string> texts, long? by, DateTimeOffset now)
    {
        var before = await FindAsync(c, t, shortcut);
        var rows = texts.Select(x => (Language: x.Key, Text: (string?)x.Value))
            .Concat((before?.Texts.Keys ?? []).Where(l => !texts.ContainsKey(l)).Select(l => (Language: l, Text: (string?)null)));
        foreach (var (language, text) in rows)
            await c.ExecuteAsync(Insert, new { Shortcut = shortcut.ToLowerInvariant(), Language = language, Text = text, Now = now.ToUnixTimeMilliseconds(), By = by }, t);
    }

    /// <summary>Takes the saved answer away (every language); false when there was none.</summary>
    public static async Task<bool> DeleteAsync(IDbConnection c, IDbTransaction t, string shortcut, long? by, DateTimeOffset now)
    {
        if (await FindAsync(c, t, shortcut) is not { } saved) return false;
        await SaveAsync(c, t, saved.Shortcut, new Dictionary<string, string>(), by, now);
        return true;
    }
}

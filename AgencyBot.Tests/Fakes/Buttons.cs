namespace AgencyBot.Tests.Fakes;

/// <summary>The inline buttons under a message the bot sent, as a person would find one: by what it says.</summary>
public static class Buttons
{
    /// <summary>The callback data of the first button whose label contains <paramref name="label"/>.</summary>
    public static string Button(this SentMessage message, string label) =>
        message.Request.Body["reply_markup"]!["inline_keyboard"]!.AsArray().SelectMany(row => row!.AsArray())
            .First(b => ((string?)b!["text"])!.Contains(label, StringComparison.Ordinal))!["callback_data"]!.GetValue<string>();

    /// <summary>Every button's label, row by row.</summary>
    public static IReadOnlyList<string> Labels(this SentMessage message) =>
        message.Request.Body["reply_markup"]!["inline_keyboard"]!.AsArray().SelectMany(row => row!.AsArray()).Select(b => (string)b!["text"]!).ToList();
}

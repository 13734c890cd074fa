namespace AgencyBot.Core.Messaging;

/// <summary>Telegram's HTML parse mode: only &amp;, &lt;, &gt; and " need escaping; everything else stays as is.</summary>
public static class TelegramHtml
{
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    public static string Mention(long telegramUserId, string name) => $"<a href=\"tg://user?id={telegramUserId}\">{Escape(name)}</a>";
}

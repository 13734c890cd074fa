using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Conversations;

/// <summary>The inline buttons under each relayed client message (pressed: see Tasks/StaffButtons). Callback data is
/// "b:&lt;action&gt;:&lt;message id&gt;[:&lt;tag&gt;]", well within Telegram's 64 bytes.</summary>
public static class RelayButtons
{
    public const string Prefix = "b:";

    public static InlineKeyboardMarkup For(long messageId) => new(
    [
        [InlineKeyboardButton.WithCallbackData("🙋 Take it", $"{Prefix}take:{messageId}"), InlineKeyboardButton.WithCallbackData("📌 Make a task", $"{Prefix}task:{messageId}")],
        [InlineKeyboardButton.WithCallbackData("🏷 Tag", $"{Prefix}tag:{messageId}"), InlineKeyboardButton.WithCallbackData("✔️ Close", $"{Prefix}close:{messageId}")],
    ]);
}

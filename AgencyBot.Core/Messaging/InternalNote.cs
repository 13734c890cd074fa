namespace AgencyBot.Core.Messaging;

/// <summary>A staff message starting with "//" is an internal note: recorded in the conversation, never sent to a client.</summary>
public static class InternalNote
{
    public const string Prefix = "//";

    public static bool Says(string? text) => text?.StartsWith(Prefix, StringComparison.Ordinal) == true;
}

namespace AgencyBot.Core.Conversations;

/// <summary>
/// The first-answer figures of a set of waits, in business time (the SLA clock): how many, median, 90th percentile,
/// share within the promise. Computed here only, for the report and the digest alike, so the two cannot drift.
/// </summary>
public sealed record FirstAnswers(int Count, double? MedianSeconds, double? P90Seconds, double? ShareWithinSla)
{
    public static FirstAnswers Of(IEnumerable<long> businessSeconds, long slaSeconds)
    {
        var sorted = businessSeconds.Order().ToList();
        return new FirstAnswers(sorted.Count, Round(Percentile(sorted, 0.5)), Round(Percentile(sorted, 0.9)),
            sorted.Count == 0 ? null : Math.Round(sorted.Count(s => s <= slaSeconds) / (double)sorted.Count, 4));
    }

    private static double? Round(double? seconds) => seconds is { } s ? Math.Round(s, 1) : null;

    /// <summary>Linear interpolation between closest ranks (the usual definition; the median of 1,2,3,4 is 2.5).</summary>
    internal static double? Percentile(IReadOnlyList<long> sorted, double p)
    {
        if (sorted.Count == 0) return null;
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}

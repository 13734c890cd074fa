using AgencyBot.Core.Satisfaction;

namespace AgencyBot.Host.Scheduling;

/// <summary>Every five minutes, the client's side: clients whose answered exchange has gone quiet are asked how it went
/// (see <see cref="Ratings"/>), and clients the agency waits for are nudged when it is time (see
/// <see cref="AgencyBot.Core.Approvals.ClientWaits"/>).</summary>
[Quartz.DisallowConcurrentExecution]
public sealed class ClientSideJob(Ratings ratings, AgencyBot.Core.Approvals.ClientWaits waits, ILogger<ClientSideJob> logger) : SafeJob(logger)
{
    public static readonly Quartz.JobKey Key = new("client-side");

    protected override string Failure => "Asking clients for a rating, or nudging them, failed";

    protected override async Task RunAsync(CancellationToken ct)
    {
        await ratings.AskDueAsync(ct);
        await waits.NudgeDueAsync(ct);
    }
}

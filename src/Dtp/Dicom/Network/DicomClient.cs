using System.Runtime.CompilerServices;

namespace Dtp.Dicom.Network;

/// <summary>Where a DICOM peer is and how dtp presents itself to it.</summary>
public sealed class DicomClientOptions
{
    /// <summary>Gets or sets the peer's host name or address.</summary>
    public required string Host { get; set; }

    /// <summary>Gets or sets the peer's port.</summary>
    public required int Port { get; set; }

    /// <summary>Gets or sets the peer's AE title (called AE title).</summary>
    public required string CalledAeTitle { get; set; }

    /// <summary>Gets or sets dtp's AE title (calling AE title).</summary>
    public required string CallingAeTitle { get; set; }

    /// <summary>Gets the timeouts.</summary>
    public DicomTimeouts Timeouts { get; init; } = new();
}

/// <summary>Query/retrieve levels of the Study Root information model.</summary>
public enum DicomQueryLevel
{
    /// <summary>Studies.</summary>
    Study,

    /// <summary>Series of a study.</summary>
    Series,

    /// <summary>Instances (images) of a series.</summary>
    Image,
}

/// <summary>
/// A DIMSE service user (PS3.7): C-ECHO, C-FIND, C-GET and C-MOVE in the Study Root model, and C-STORE. Each call opens its
/// own association and releases it when done.
/// </summary>
/// <param name="options">The peer and our AE title.</param>
public sealed class DicomClient(DicomClientOptions options)
{
    /// <summary>At most this many presentation contexts fit in one association (odd ids 1-255).</summary>
    public const int MaxPresentationContexts = 128;

    private readonly DicomClientOptions options = options ?? throw new ArgumentNullException(nameof(options));
    private int messageId;

    /// <summary>Sends a C-ECHO (verification).</summary>
    /// <exception cref="DicomNetworkException">The association failed or the peer answered with a failure status.</exception>
    public async Task EchoAsync(CancellationToken cancellationToken = default)
    {
        await using var association = await ConnectAsync([Context(1, DicomNetworkUids.Verification)], cancellationToken).ConfigureAwait(false);
        var context = RequireContext(association, DicomNetworkUids.Verification);
        await association.SendAsync(context.Id, DimseTags.Request(DimseTags.CEchoRequest, NextMessageId(), DicomNetworkUids.Verification), null, cancellationToken).ConfigureAwait(false);
        var response = await ReceiveResponseAsync(association, DimseTags.CEchoResponse, cancellationToken).ConfigureAwait(false);
        ThrowIfFailed(association, "C-ECHO", response.Command);
        await association.ReleaseAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a Study Root C-FIND and yields each match's identifier.</summary>
    /// <param name="level">The query/retrieve level.</param>
    /// <param name="identifier">The keys: values to match and empty elements to return (Query/Retrieve Level is set from <paramref name="level"/>).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="DicomNetworkException">The association failed or the peer answered with a failure status.</exception>
    public async IAsyncEnumerable<DicomDataset> FindAsync(DicomQueryLevel level, DicomDataset identifier, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        await using var association = await ConnectAsync([Context(1, DicomNetworkUids.StudyRootFind)], cancellationToken).ConfigureAwait(false);
        var context = RequireContext(association, DicomNetworkUids.StudyRootFind);
        var syntax = DicomTransferSyntax.FromUid(context.AcceptedTransferSyntax!);
        var request = DimseTags.Request(DimseTags.CFindRequest, NextMessageId(), DicomNetworkUids.StudyRootFind).SetUInt16(DimseTags.Priority, 0);
        await association.SendAsync(context.Id, request, DicomCodec.Encode(WithLevel(identifier, level), syntax), cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var response = await ReceiveResponseAsync(association, DimseTags.CFindResponse, cancellationToken).ConfigureAwait(false);
            var status = response.Command.GetUInt16(DimseTags.Status) ?? 0xC000;
            if (!DimseTags.IsPending(status))
            {
                ThrowIfFailed(association, "C-FIND", response.Command);
                break;
            }

            if (response.Data is { } data)
            {
                yield return DicomCodec.Decode(data, syntax);
            }
        }

        await association.ReleaseAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a Study Root C-GET and receives the instances on the same association (C-STORE sub-operations). For each SOP class
    /// given, presentation contexts are proposed with dtp acting as SCP: one with the uncompressed little-endian syntaxes and one
    /// per other syntax (big endian, JPEG, JPEG-LS, JPEG 2000, RLE), as many as fit in 128, so instances arrive as stored.
    /// </summary>
    /// <param name="level">The retrieve level.</param>
    /// <param name="identifier">The unique keys of what to retrieve (e.g. Study Instance UID).</param>
    /// <param name="sopClasses">The SOP classes expected (e.g. from an instance-level C-FIND); at least one.</param>
    /// <param name="onInstance">Receives each instance; an exception fails that sub-operation and is rethrown after the C-GET ends.</param>
    /// <param name="cancellationToken">Cancels the retrieval (the association is aborted).</param>
    /// <returns>The final status and sub-operation counts.</returns>
    /// <exception cref="DicomNetworkException">The association failed, or the peer answered with a failure status.</exception>
    public async Task<DicomRetrieveResult> GetAsync(
        DicomQueryLevel level, DicomDataset identifier, IReadOnlyCollection<string> sopClasses,
        Func<DicomReceivedInstance, CancellationToken, Task> onInstance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentNullException.ThrowIfNull(sopClasses);
        ArgumentNullException.ThrowIfNull(onInstance);
        var proposed = new List<DicomPresentationContext> { Context(1, DicomNetworkUids.StudyRootGet) };
        var groups = DicomNetworkUids.Other.Select(s => (IReadOnlyList<string>)[s]).Prepend(DicomNetworkUids.Uncompressed).ToList();
        var perClass = Math.Max(1, Math.Min(groups.Count, (MaxPresentationContexts - 1) / Math.Max(1, sopClasses.Count)));
        foreach (var sopClass in sopClasses.Distinct().Take(MaxPresentationContexts - 1))
        {
            foreach (var syntaxes in groups.Take(perClass))
            {
                proposed.Add(new DicomPresentationContext((byte)((proposed.Count * 2) + 1), sopClass, syntaxes) { RequestorIsScp = true });
            }
        }

        await using var association = await ConnectAsync(proposed, cancellationToken).ConfigureAwait(false);
        var context = RequireContext(association, DicomNetworkUids.StudyRootGet);
        var syntax = DicomTransferSyntax.FromUid(context.AcceptedTransferSyntax!);
        var request = DimseTags.Request(DimseTags.CGetRequest, NextMessageId(), DicomNetworkUids.StudyRootGet).SetUInt16(DimseTags.Priority, 0);
        await association.SendAsync(context.Id, request, DicomCodec.Encode(WithLevel(identifier, level), syntax), cancellationToken).ConfigureAwait(false);
        Exception? handlerError = null;
        while (true)
        {
            var message = await association.ReceiveAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new DicomNetworkException($"{association.Peer} released the association before the C-GET ended.", isTransient: true);
            var field = message.Command.GetUInt16(DimseTags.CommandField);
            if (field == DimseTags.CStoreRequest)
            {
                handlerError ??= await DicomStorageServer.StoreAsync(association, message, onInstance, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (field != DimseTags.CGetResponse)
            {
                await association.AbortAsync(cancellationToken).ConfigureAwait(false);
                throw new DicomNetworkException($"{association.Peer} sent command 0x{field:X4} during a C-GET; aborted.");
            }

            var status = message.Command.GetUInt16(DimseTags.Status) ?? 0xC000;
            if (DimseTags.IsPending(status))
            {
                continue;
            }

            var result = Result(message.Command, status);
            if (handlerError is not null)
            {
                throw new DicomNetworkException(
                    $"C-GET at {association.Peer}: dtp could not store every instance received ({handlerError.Message}); sub-operations: {result.Completed} completed, {result.Failed} failed, {result.Warning} with warnings.",
                    handlerError);
            }

            ThrowIfFailed(association, "C-GET", message.Command, result);
            await association.ReleaseAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
    }

    /// <summary>Sends a Study Root C-MOVE: the peer stores the matches at the destination AE (which it must know by that title).</summary>
    /// <param name="level">The retrieve level.</param>
    /// <param name="identifier">The unique keys of what to move.</param>
    /// <param name="destinationAeTitle">The AE title of the storage SCP that receives the instances.</param>
    /// <param name="cancellationToken">Cancels the move (the association is aborted).</param>
    /// <returns>The final status and sub-operation counts.</returns>
    /// <exception cref="DicomNetworkException">The association failed, or the peer answered with a failure status.</exception>
    public async Task<DicomRetrieveResult> MoveAsync(DicomQueryLevel level, DicomDataset identifier, string destinationAeTitle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentException.ThrowIfNullOrWhiteSpace(destinationAeTitle);
        await using var association = await ConnectAsync([Context(1, DicomNetworkUids.StudyRootMove)], cancellationToken).ConfigureAwait(false);
        var context = RequireContext(association, DicomNetworkUids.StudyRootMove);
        var syntax = DicomTransferSyntax.FromUid(context.AcceptedTransferSyntax!);
        var request = DimseTags.Request(DimseTags.CMoveRequest, NextMessageId(), DicomNetworkUids.StudyRootMove)
            .SetUInt16(DimseTags.Priority, 0)
            .SetString(DimseTags.MoveDestination, DicomVR.AE, destinationAeTitle);
        await association.SendAsync(context.Id, request, DicomCodec.Encode(WithLevel(identifier, level), syntax), cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var response = await ReceiveResponseAsync(association, DimseTags.CMoveResponse, cancellationToken).ConfigureAwait(false);
            var status = response.Command.GetUInt16(DimseTags.Status) ?? 0xC000;
            if (DimseTags.IsPending(status))
            {
                continue;
            }

            var result = Result(response.Command, status);
            ThrowIfFailed(association, $"C-MOVE to {destinationAeTitle}", response.Command, result);
            await association.ReleaseAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
    }

    /// <summary>Stores Part 10 files with C-STORE on one association; each is sent in its own transfer syntax, or re-encoded in an uncompressed one the peer accepts.</summary>
    /// <param name="files">The files (at most 128 distinct SOP class and transfer syntax pairs).</param>
    /// <param name="cancellationToken">Cancels the upload (the association is aborted).</param>
    /// <returns>The number of files stored with a warning status.</returns>
    /// <exception cref="DicomNetworkException">The association failed, no context fits a file, or the peer refused a file.</exception>
    public async Task<int> StoreAsync(IReadOnlyList<DicomFile> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0)
        {
            return 0;
        }

        var pairs = files.Select(f => (SopClass: f.Dataset.GetString(DicomTag.SOPClassUID) ?? string.Empty, Syntax: f.TransferSyntax.Uid)).Distinct().ToList();
        if (pairs.Count > MaxPresentationContexts)
        {
            throw new ArgumentException($"The files need {pairs.Count} presentation contexts; at most {MaxPresentationContexts} fit in one association.", nameof(files));
        }

        var proposed = pairs.Select((p, i) => new DicomPresentationContext(
            (byte)((i * 2) + 1), p.SopClass, DicomNetworkUids.Uncompressed.Contains(p.Syntax) || p.Syntax == DicomUid.ExplicitVRBigEndian
                ? [p.Syntax, .. DicomNetworkUids.Uncompressed.Where(u => u != p.Syntax)]
                : [p.Syntax])).ToList();
        await using var association = await ConnectAsync(proposed, cancellationToken).ConfigureAwait(false);
        var warnings = 0;
        foreach (var file in files)
        {
            var sopClass = file.Dataset.GetString(DicomTag.SOPClassUID) ?? string.Empty;
            var sopInstance = file.Dataset.GetString(DicomTag.SOPInstanceUID) ?? string.Empty;
            var context = association.FindContext(sopClass, file.TransferSyntax.Uid)
                ?? throw new DicomNetworkException($"{association.Peer} accepted no presentation context for SOP class {sopClass} in transfer syntax {file.TransferSyntax.Uid} (instance {sopInstance}).");
            var syntax = DicomTransferSyntax.FromUid(context.AcceptedTransferSyntax!);
            var request = DimseTags.Request(DimseTags.CStoreRequest, NextMessageId(), sopClass)
                .SetUInt16(DimseTags.Priority, 0)
                .SetString(DimseTags.AffectedSopInstanceUid, DicomVR.UI, sopInstance);
            await association.SendAsync(context.Id, request, DicomCodec.Encode(file.Dataset, syntax), cancellationToken).ConfigureAwait(false);
            var response = await ReceiveResponseAsync(association, DimseTags.CStoreResponse, cancellationToken).ConfigureAwait(false);
            var status = response.Command.GetUInt16(DimseTags.Status) ?? 0xC000;
            if (status != 0 && status is not (0xB000 or 0xB007 or 0xB006))
            {
                ThrowIfFailed(association, $"C-STORE of {sopInstance}", response.Command);
            }

            warnings += status == 0 ? 0 : 1;
        }

        await association.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        return warnings;
    }

    private static DicomPresentationContext Context(byte id, string sopClass) => new(id, sopClass, DicomNetworkUids.Uncompressed);

    private static DicomDataset WithLevel(DicomDataset identifier, DicomQueryLevel level)
    {
        var copy = new DicomDataset();
        foreach (var element in identifier)
        {
            copy.Set(element);
        }

        return copy.SetString(DimseTags.QueryRetrieveLevel, DicomVR.CS, level switch
        {
            DicomQueryLevel.Study => "STUDY",
            DicomQueryLevel.Series => "SERIES",
            _ => "IMAGE",
        });
    }

    private static DicomRetrieveResult Result(DicomDataset command, ushort status) => new(
        status,
        command.GetUInt16(DimseTags.CompletedSuboperations) ?? 0,
        command.GetUInt16(DimseTags.FailedSuboperations) ?? 0,
        command.GetUInt16(DimseTags.WarningSuboperations) ?? 0);

    private static DicomPresentationContext RequireContext(DicomAssociation association, string sopClass) =>
        association.FindContext(sopClass)
        ?? throw new DicomNetworkException($"{association.Peer} accepted no presentation context for {sopClass}.");

    private static void ThrowIfFailed(DicomAssociation association, string operation, DicomDataset command, DicomRetrieveResult? result = null)
    {
        var status = command.GetUInt16(DimseTags.Status) ?? 0xC000;
        if (status == 0 || (result is not null && status == 0xB000 && result.Failed == 0))
        {
            return;
        }

        var counts = result is null ? string.Empty : $"; sub-operations: {result.Completed} completed, {result.Failed} failed, {result.Warning} with warnings";
        var comment = command.GetString(DimseTags.ErrorComment) is { Length: > 0 } text ? $" ({text})" : string.Empty;
        var meaning = status switch
        {
            0xB000 => "some sub-operations failed",
            0xFE00 => "cancelled",
            0xA701 or 0xA702 or 0xA700 => "out of resources",
            0xA801 => "move destination unknown",
            0xA900 => "identifier does not match SOP class",
            0xC000 => "unable to process",
            _ => "failure",
        };
        throw new DicomNetworkException($"{operation} at {association.Peer} failed with status 0x{status:X4} ({meaning}){comment}{counts}.", isTransient: false, status);
    }

    private static async Task<DimseMessage> ReceiveResponseAsync(DicomAssociation association, ushort field, CancellationToken cancellationToken)
    {
        var message = await association.ReceiveAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new DicomNetworkException($"{association.Peer} released the association before answering.", isTransient: true);
        if (message.Command.GetUInt16(DimseTags.CommandField) != field)
        {
            await association.AbortAsync(cancellationToken).ConfigureAwait(false);
            throw new DicomNetworkException($"{association.Peer} sent command 0x{message.Command.GetUInt16(DimseTags.CommandField):X4} where 0x{field:X4} was expected; aborted.");
        }

        return message;
    }

    private Task<DicomAssociation> ConnectAsync(IReadOnlyList<DicomPresentationContext> contexts, CancellationToken cancellationToken) =>
        DicomAssociation.ConnectAsync(options.Host, options.Port, options.CallingAeTitle, options.CalledAeTitle, contexts, options.Timeouts, cancellationToken);

    private ushort NextMessageId() => (ushort)Interlocked.Increment(ref messageId);
}

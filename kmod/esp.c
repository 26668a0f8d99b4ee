// SPDX-License-Identifier: GPL-2.0
/*
 * ESP (RFC 4303): the transform alone, on packets the hooks prepared. Family and mode are
 * the callers' business: here a packet is "the first @off bytes" (headers that stay in
 * front) and the rest (the payload that gets encrypted).
 *
 * The AEAD sees [SPI | seq (| seq_hi, seq_lo with ESN)] [IV] [payload] as associated data,
 * IV and plaintext: the layout RFC 4106 and RFC 7634 give for ESN, which authencesn takes
 * too. The AAD sits in the request's buffer, so the packet is never rewritten around it.
 * IVs of counter-mode AEADs are the 64-bit sequence number (unique per key, RFC 4106
 * section 3); CBC takes a random IV per packet. No IV generator template (seqiv) is used,
 * so an SA never depends on the crypto API's default RNG.
 */

#include <crypto/aead.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <net/esp.h>

#include "esp.h"
#include "nfsec.h"

/*
 * One scratch allocation per packet in crypto: this header, then the request (with the
 * transform's context), then the scatterlist. It is a fragment of the kernel's per-CPU
 * page fragment caches (netdev_alloc_frag(), which skb heads come from), so the fast path
 * makes no slab call: a fragment costs an offset moved on this CPU's page, and
 * page_frag_free() takes it back from whichever CPU the crypto completes on. The request
 * must live until an asynchronous completion (simd hands it to cryptd), so one buffer per
 * CPU, reused packet after packet, would not do; and the skb's spare room is seldom a
 * request's worth (hundreds of bytes with authenc's context) and is the trailer's and the
 * link layer's. kmalloc() is the fallback: a scratch over a page (many page frags), or no
 * page to be had. A fragment is aligned as kmalloc() aligns, CRYPTO_MINALIGN.
 */
struct esp_tmp {
	struct sk_buff *skb;
	nfsec_esp_done_t done;
	bool frag;			/* netdev_alloc_frag()'s, else kmalloc()'s */
	u8 aad[12];
	u8 iv[16] __aligned(8);		/* the transform may write to it (CBC) */
};

static size_t tmp_req_off(void)
{
	return ALIGN(sizeof(struct esp_tmp), CRYPTO_MINALIGN);
}

static size_t tmp_sg_off(struct crypto_aead *aead)
{
	return ALIGN(tmp_req_off() + sizeof(struct aead_request) + crypto_aead_reqsize(aead),
		     __alignof__(struct scatterlist));
}

static struct esp_tmp *tmp_alloc(struct crypto_aead *aead, int nsg)
{
	size_t len = tmp_sg_off(aead) + nsg * sizeof(struct scatterlist);
	struct esp_tmp *tmp;
	bool frag = true;

	tmp = len <= PAGE_SIZE ? netdev_alloc_frag_align(len, CRYPTO_MINALIGN) : NULL;
	if (!tmp) {
		tmp = kmalloc(len, GFP_ATOMIC);
		frag = false;
	}
	if (tmp)
		tmp->frag = frag;
	return tmp;
}

static void tmp_free(struct esp_tmp *tmp)
{
	if (tmp->frag)
		skb_free_frag(tmp);
	else
		kfree(tmp);
}

static struct aead_request *tmp_req(struct esp_tmp *tmp)
{
	return (void *)tmp + tmp_req_off();
}

static struct scatterlist *tmp_sg(struct crypto_aead *aead, struct esp_tmp *tmp)
{
	return (void *)tmp + tmp_sg_off(aead);
}

/* Writes the AAD for @spi and @seq; returns its length. */
static unsigned int fill_aad(u8 *aad, __be32 spi, u64 seq, bool esn)
{
	__be32 *w = (__be32 *)aad;

	w[0] = spi;
	if (!esn) {
		w[1] = htonl(lower_32_bits(seq));
		return 8;
	}
	w[1] = htonl(upper_32_bits(seq));
	w[2] = htonl(lower_32_bits(seq));
	return 12;
}

/*
 * Asynchronous completion. @base may be a request the transform made of ours (simd hands
 * a copy to cryptd): only its data, our tmp, is to be trusted.
 */
static void crypt_done(struct crypto_async_request *base, int err)
{
	struct esp_tmp *tmp = base->data;
	nfsec_esp_done_t done = tmp->done;
	struct sk_buff *skb = tmp->skb;

	tmp_free(tmp);
	done(skb, err);
}

/*
 * Runs @aead over @skb from @off: AAD from the request, then @len bytes of the packet
 * (IV, payload and, decrypting, the ICV). Returns 0 done, -EINPROGRESS (then @done is
 * called), or an error.
 */
static int esp_crypt(struct sk_buff *skb, unsigned int off, unsigned int len, int nfrags,
		     bool encrypt, nfsec_esp_done_t done)
{
	struct nfsec_skb_cb *cb = NFSEC_SKB_CB(skb);
	struct nfsec_sa *sa = cb->sa;
	struct crypto_aead *aead = sa->aead;
	int nsg = nfrags + 1, ret;
	struct aead_request *req;
	struct scatterlist *sg;
	struct esp_tmp *tmp;
	unsigned int aad_len;

	tmp = tmp_alloc(aead, nsg);
	if (!tmp)
		return -ENOMEM;
	tmp->skb = skb;
	tmp->done = done;
	req = tmp_req(tmp);
	sg = tmp_sg(aead, tmp);

	aad_len = fill_aad(tmp->aad, sa->cfg.id.spi, cb->seq, sa->cfg.esn);
	skb_copy_bits(skb, off + sizeof(struct ip_esp_hdr), tmp->iv, sa->iv_len);

	sg_init_table(sg, nsg);
	sg_set_buf(sg, tmp->aad, aad_len);
	ret = skb_to_sgvec(skb, sg + 1, off + sizeof(struct ip_esp_hdr), len);
	if (unlikely(ret < 0))
		goto out_free;

	aead_request_set_tfm(req, aead);
	aead_request_set_callback(req, 0, crypt_done, tmp);
	aead_request_set_crypt(req, sg, sg, len - sa->iv_len - (encrypt ? sa->icv_len : 0),
			       tmp->iv);
	aead_request_set_ad(req, aad_len + sa->iv_len);
	ret = encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	if (ret == -EINPROGRESS)
		return ret;
	if (ret == -EBUSY)
		ret = -ENOBUFS;
out_free:
	tmp_free(tmp);
	return ret;
}

static void fill_trailer(u8 *tail, unsigned int padlen, u8 nexthdr)
{
	unsigned int i;

	for (i = 0; i < padlen; i++)
		tail[i] = i + 1;
	tail[padlen] = padlen;
	tail[padlen + 1] = nexthdr;
}

/*
 * Makes room for @tailen bytes of trailer behind @skb's data; returns where they start,
 * and in *@nfrags the scatterlist entries the packet takes (or an ERR_PTR). In place when
 * the packet's bytes are its own and all in its head: in the tailroom, or else in a page
 * fragment (netdev_alloc_frag()) that becomes its one page. Pages an skb already has are
 * never encrypted in place: another skb may hold them without either saying so (a
 * pskb_copy() shares them unmarked, as TCP's retransmission of a segment still in flight
 * does; splice's are marked, skb_has_shared_frag()), and TCP would send our ciphertext
 * again as its data. Such a packet, a clone, or one with a frag_list, is copied by
 * skb_cow_data(). GSO packets come here segmented without NETIF_F_SG: in their heads.
 */
static u8 *trailer_room(struct sk_buff *skb, unsigned int tailen, int *nfrags)
{
	struct sk_buff *trailer;
	struct page *page;
	u8 *tail;

	if (!skb_cloned(skb) && !skb_is_nonlinear(skb)) {
		if (tailen <= skb_tailroom(skb)) {
			*nfrags = 1;
			return skb_put(skb, tailen);
		}
		tail = netdev_alloc_frag(tailen);
		if (tail) {
			/*
			 * Its reference is the skb's, put when the skb goes. truesize stays:
			 * the socket the skb is charged to is uncharged by it.
			 */
			page = virt_to_head_page(tail);
			skb_zcopy_downgrade_managed(skb);
			skb_fill_page_desc(skb, 0, page, tail - (u8 *)page_address(page), tailen);
			skb->len += tailen;
			skb->data_len += tailen;
			*nfrags = 2;
			return tail;
		}
	}
	*nfrags = skb_cow_data(skb, tailen, &trailer);
	if (*nfrags < 0)
		return ERR_PTR(*nfrags);
	tail = skb_tail_pointer(trailer);
	pskb_put(skb, trailer, tailen);
	return tail;
}

/*
 * Encapsulates @skb: the bytes from @off on become the payload, carried with @nexthdr;
 * the ESP header and IV are inserted at @off, the @off bytes before them move to the
 * front, and @headroom is left free in front for the caller. NFSEC_SKB_CB(skb)->sa is
 * the outbound SA, ->seq the sequence number the caller took (nfsec_esp_seq_take()).
 * Returns 0 when done, -EINPROGRESS when @done will be called, or an error (the skb is
 * still the caller's).
 */
int nfsec_esp_encap(struct sk_buff *skb, unsigned int off, u8 nexthdr,
		    unsigned int headroom, nfsec_esp_done_t done)
{
	struct nfsec_skb_cb *cb = NFSEC_SKB_CB(skb);
	struct nfsec_sa *sa = cb->sa;
	unsigned int hlen = nfsec_esp_head_len(sa);
	unsigned int plen, padlen, tailen;
	struct ip_esp_hdr *esph;
	int nfrags;
	u8 *tail;

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		return -EINVAL;
	if (skb_cow_head(skb, hlen + headroom))
		return -ENOMEM;

	plen = skb->len - off;
	padlen = ALIGN(plen + 2, sa->align) - plen - 2;
	tailen = padlen + 2 + sa->icv_len;

	skb_push(skb, hlen);
	memmove(skb->data, skb->data + hlen, off);

	tail = trailer_room(skb, tailen, &nfrags);
	if (IS_ERR(tail))
		return PTR_ERR(tail);
	fill_trailer(tail, padlen, nexthdr);

	esph = (struct ip_esp_hdr *)(skb->data + off);
	esph->spi = sa->cfg.id.spi;
	esph->seq_no = htonl(lower_32_bits(cb->seq));
	if (sa->iv_from_seq) {
		__be64 iv = cpu_to_be64(cb->seq);

		memcpy(esph->enc_data, &iv, sizeof(iv));
	} else if (sa->iv_len) {
		get_random_bytes(esph->enc_data, sa->iv_len);
	}
	skb->ip_summed = CHECKSUM_NONE;
	return esp_crypt(skb, off, skb->len - off - sizeof(*esph), nfrags, true, done);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_esp_encap);

/*
 * Authenticates and decrypts the ESP packet at @off in place; NFSEC_SKB_CB(skb) has the
 * inbound SA and the inferred sequence number. Returns 0, -EINPROGRESS (then @done is
 * called), -EBADMSG when the ICV does not match, or another error.
 */
int nfsec_esp_decrypt(struct sk_buff *skb, unsigned int off, nfsec_esp_done_t done)
{
	struct nfsec_sa *sa = NFSEC_SKB_CB(skb)->sa;
	unsigned int hlen = nfsec_esp_head_len(sa);
	struct sk_buff *trailer;
	int nfrags, elen;

	elen = skb->len - off - hlen - sa->icv_len;
	if (elen < 2 || elen % sa->align)
		return -EINVAL;
	/*
	 * In place, the pages too, when the packet is its own (as esp4.c's esp_input()):
	 * received pages are the skb's. A clone's bytes are another's, a frag_list skb may be
	 * one, and splice's pages are marked shared: those are copied.
	 */
	if (!skb_cloned(skb) && !skb_has_frag_list(skb) && !skb_has_shared_frag(skb)) {
		nfrags = 1 + skb_shinfo(skb)->nr_frags;
	} else {
		nfrags = skb_cow_data(skb, 0, &trailer);
		if (nfrags < 0)
			return nfrags;
	}
	skb->ip_summed = CHECKSUM_NONE;
	return esp_crypt(skb, off, skb->len - off - sizeof(struct ip_esp_hdr), nfrags, false,
			 done);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_esp_decrypt);

/*
 * After a successful decryption: checks the padding, takes the trailer, ICV, ESP header
 * and IV away (the @off bytes in front move up), and gives the next header. -EINVAL
 * for a malformed trailer.
 */
int nfsec_esp_strip(struct sk_buff *skb, unsigned int off, u8 *nexthdr)
{
	struct nfsec_sa *sa = NFSEC_SKB_CB(skb)->sa;
	unsigned int hlen = nfsec_esp_head_len(sa);
	u8 trailer[2], pad[255];
	unsigned int elen, i;

	elen = skb->len - off - hlen - sa->icv_len;
	if (skb_copy_bits(skb, skb->len - sa->icv_len - 2, trailer, 2))
		return -EINVAL;
	if (trailer[0] + 2 > elen)
		return -EINVAL;
	/* RFC 4303 section 2.4: the default padding is 1, 2, 3, ...; anything else is forged. */
	if (skb_copy_bits(skb, skb->len - sa->icv_len - 2 - trailer[0], pad, trailer[0]))
		return -EINVAL;
	for (i = 0; i < trailer[0]; i++)
		if (pad[i] != i + 1)
			return -EINVAL;
	if (pskb_trim(skb, skb->len - sa->icv_len - 2 - trailer[0]))
		return -ENOMEM;
	memmove(skb->data + hlen, skb->data, off);
	skb_pull(skb, hlen);
	*nexthdr = trailer[1];
	return 0;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_esp_strip);

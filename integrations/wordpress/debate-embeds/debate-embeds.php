<?php
/**
 * Plugin Name:       Debate embeds
 * Description:       Makes your debate host a trusted oEmbed provider: a poll's URL pasted on a line of its own is embedded whole, with its own script, instead of in WordPress's sandbox.
 * Version:           1.0.0
 * Requires at least: 5.9
 * Requires PHP:      7.4
 *
 * Without this plugin WordPress treats the debate host as an unknown provider: it
 * keeps only the answer's link and iframe, sandboxes the frame (no forms, no origin
 * of its own) and caps it at 1,000 px, so the whole debate shows as a compact poll,
 * one question at a time. With it, WordPress inserts the snippet as the host sends
 * it: embed.js makes the frame, which keeps the full layout and grows with the poll.
 *
 * The host is the constant DEBATE_EMBEDS_HOST (in wp-config.php), or else the
 * "Debate host" field under Settings > Media, for example https://essays.example.org.
 */

defined( 'ABSPATH' ) || exit;

/**
 * The debate host's origin (scheme, host and port, no path), or '' when none is set.
 */
function debate_embeds_host() {
	$host = defined( 'DEBATE_EMBEDS_HOST' ) ? DEBATE_EMBEDS_HOST : get_option( 'debate_embeds_host', '' );
	return debate_embeds_origin( (string) $host );
}

/**
 * An address reduced to its origin; '' for anything that is not an http(s) URL.
 */
function debate_embeds_origin( $url ) {
	$parts = wp_parse_url( trim( $url ) );
	if ( empty( $parts['scheme'] ) || empty( $parts['host'] ) || ! in_array( strtolower( $parts['scheme'] ), array( 'http', 'https' ), true ) ) {
		return '';
	}
	$port = isset( $parts['port'] ) ? ':' . (int) $parts['port'] : '';
	return strtolower( $parts['scheme'] . '://' . $parts['host'] ) . $port;
}

/**
 * Debate pages and embed pages of the host, on http or https, are this provider's;
 * the pattern is anchored, so no other site's URL that merely mentions them is.
 */
function debate_embeds_register_provider() {
	$host = debate_embeds_host();
	if ( '' === $host ) {
		return;
	}
	$authority = preg_replace( '#^https?://#', '', $host );
	$pattern   = '#^https?://' . preg_quote( $authority, '#' ) . '/(?:debates|embed)/[^\s]+$#i';
	wp_oembed_add_provider( $pattern, $host . '/oembed', true );
}
add_action( 'plugins_loaded', 'debate_embeds_register_provider' );

/**
 * WordPress keeps each post's embed as it first fetched it. Forget the kept copies of
 * the host's polls whenever the plugin or its host changes, so that each is fetched
 * again as it should now be: trusted, or sandboxed once the plugin is off (a trusted
 * copy carries a script, which WordPress would otherwise go on serving).
 */
function debate_embeds_forget_copies( $host ) {
	global $wpdb;
	$host = debate_embeds_origin( (string) $host );
	if ( '' === $host ) {
		return;
	}
	$mention = '%' . $wpdb->esc_like( preg_replace( '#^https?://#', '', $host ) ) . '%';
	$posts   = $wpdb->get_col(
		$wpdb->prepare(
			"SELECT DISTINCT post_id FROM {$wpdb->postmeta} WHERE meta_key LIKE %s AND meta_value LIKE %s",
			$wpdb->esc_like( '_oembed_' ) . '%',
			$mention
		)
	);
	$wpdb->query(
		$wpdb->prepare(
			"DELETE FROM {$wpdb->postmeta} WHERE meta_key LIKE %s AND meta_value LIKE %s",
			$wpdb->esc_like( '_oembed_' ) . '%',
			$mention
		)
	);
	$wpdb->query(
		$wpdb->prepare(
			"DELETE FROM {$wpdb->posts} WHERE post_type = 'oembed_cache' AND post_content LIKE %s",
			$mention
		)
	);
	foreach ( $posts as $post_id ) {
		wp_cache_delete( (int) $post_id, 'post_meta' );
	}
}
function debate_embeds_forget_host_copies() {
	debate_embeds_forget_copies( debate_embeds_host() );
}
register_activation_hook( __FILE__, 'debate_embeds_forget_host_copies' );
register_deactivation_hook( __FILE__, 'debate_embeds_forget_host_copies' );

function debate_embeds_host_changed( $old, $new ) {
	debate_embeds_forget_copies( $old );
	debate_embeds_forget_copies( $new );
}
add_action( 'update_option_debate_embeds_host', 'debate_embeds_host_changed', 10, 2 );
add_action(
	'add_option_debate_embeds_host',
	function ( $name, $value ) {
		debate_embeds_forget_copies( $value );
	},
	10,
	2
);

/**
 * The "Debate host" field under Settings > Media (read-only when the constant sets it).
 */
function debate_embeds_settings() {
	register_setting(
		'media',
		'debate_embeds_host',
		array(
			'type'              => 'string',
			'sanitize_callback' => 'debate_embeds_origin',
			'default'           => '',
		)
	);
	add_settings_section( 'debate_embeds', 'Debate embeds', '__return_false', 'media' );
	add_settings_field(
		'debate_embeds_host',
		'<label for="debate_embeds_host">Debate host</label>',
		'debate_embeds_field',
		'media',
		'debate_embeds'
	);
}
add_action( 'admin_init', 'debate_embeds_settings' );

function debate_embeds_field() {
	$fixed = defined( 'DEBATE_EMBEDS_HOST' );
	printf(
		'<input type="url" id="debate_embeds_host" name="debate_embeds_host" class="regular-text" value="%s" placeholder="https://essays.example.org"%s>',
		esc_attr( debate_embeds_host() ),
		$fixed ? ' readonly' : ''
	);
	echo '<p class="description">';
	echo $fixed
		? esc_html__( 'Set by DEBATE_EMBEDS_HOST in wp-config.php.' )
		: esc_html__( 'Polls from this address are embedded whole, not sandboxed, in new posts and in posts already published.' );
	echo '</p>';
}

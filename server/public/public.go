// Package public is the citizens' portal (公众参与平台) at /public/…: no login,
// server-rendered, Chinese first, mobile first. Only server imports it.
package public
